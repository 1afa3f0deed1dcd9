import Foundation

/// What became of one answer file.
package enum IngestOutcome: Sendable, Equatable {
    /// Recorded and counted.
    case accepted(file: String, sheetID: String, answers: Int, attentionChecks: Int)
    /// Recorded but not counted: the rater failed attention checks.
    case excluded(file: String, sheetID: String, reason: String)
    /// Not recorded: the file does not match a sheet's key; every problem found is listed.
    case rejected(file: String, problems: [String])

    package var file: String {
        switch self {
        case .accepted(let file, _, _, _), .excluded(let file, _, _), .rejected(let file, _): return file
        }
    }

    /// One line (several for a rejection) saying what happened and why.
    package var message: String {
        switch self {
        case .accepted(let file, let sheet, let answers, let checks):
            return "\(file): accepted sheet \(sheet): \(answers) answers, \(checks) attention check\(checks == 1 ? "" : "s") passed"
        case .excluded(let file, let sheet, let reason):
            return "\(file): excluded sheet \(sheet): \(reason)"
        case .rejected(let file, let problems):
            return "\(file): rejected:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
        }
    }
}

/// Validates answer files against the keys in the ledger and records the valid ones.
package struct StudyIngest {
    package var store: StudyStore
    /// Sheets with more failed attention checks than this are excluded.
    package var allowedAttentionFailures: Int

    package init(store: StudyStore, allowedAttentionFailures: Int = 0) {
        self.store = store
        self.allowedAttentionFailures = allowedAttentionFailures
    }

    /// Ingests files in order (a sheet repeated in a later file is rejected as already ingested).
    package func ingest(_ urls: [URL]) throws -> [IngestOutcome] {
        try urls.map { url in
            let file: AnswerFile
            do { file = try AnswerFile.read(url) } catch let error as StudyError {
                return .rejected(file: url.path, problems: error.problems)
            }
            return try ingest(file)
        }
    }

    /// Validates one parsed file and records it unless rejected.
    package func ingest(_ file: AnswerFile) throws -> IngestOutcome {
        let sheetIDs = Array(Set(file.rows.map(\.sheetID))).sorted()
        guard let sheetID = sheetIDs.first else { return .rejected(file: file.path, problems: ["the file holds no answers"]) }
        guard sheetIDs.count == 1 else {
            return .rejected(file: file.path, problems: ["answers of several sheets in one file: \(sheetIDs.joined(separator: ", "))"])
        }
        guard let sheet = try store.sheet(sheetID) else {
            return .rejected(file: file.path, problems: ["unknown sheet id '\(sheetID)': no user_study answer key in this workspace has it"])
        }
        if let earlier = try store.submission(sheetID: sheetID) {
            return .rejected(file: file.path, problems: ["sheet \(sheetID) was already ingested (\(earlier.status)) from \(earlier.file)"])
        }
        var problems: [String] = []
        let trials = Dictionary(uniqueKeysWithValues: sheet.trials.map { ($0.trialID, $0) })
        var firstLine: [String: Int] = [:]
        for row in file.rows {
            if trials[row.trialID] == nil {
                problems.append("line \(row.line): trial id '\(row.trialID)' is not on sheet \(sheetID)")
            } else if let first = firstLine[row.trialID] {
                problems.append("line \(row.line): trial '\(row.trialID)' answered twice (first on line \(first))")
            } else {
                firstLine[row.trialID] = row.line
            }
        }
        let missing = sheet.trials.filter { firstLine[$0.trialID] == nil }
        if !missing.isEmpty {
            let listed = missing.prefix(5).map(\.trialID).joined(separator: ", ") + (missing.count > 5 ? ", …" : "")
            problems.append("incomplete: \(sheet.trials.count - missing.count) of \(sheet.trials.count) trials answered; missing \(listed)")
        }
        if !problems.isEmpty { return .rejected(file: file.path, problems: problems) }

        let choices = Dictionary(uniqueKeysWithValues: file.rows.map { ($0.trialID, $0.choice) })
        let checks = sheet.trials.filter { $0.role == .attention }
        let failed = checks.filter { choices[$0.trialID] != $0.expectedSide }
        if failed.count > allowedAttentionFailures {
            let reason = "failed \(failed.count) of \(checks.count) attention checks (\(failed.map(\.trialID).joined(separator: ", ")))"
            try store.record(file, sheetID: sheetID, status: "excluded", reason: reason)
            return .excluded(file: file.path, sheetID: sheetID, reason: reason)
        }
        try store.record(file, sheetID: sheetID, status: "accepted", reason: nil)
        return .accepted(file: file.path, sheetID: sheetID, answers: file.rows.count, attentionChecks: checks.count - failed.count)
    }
}
