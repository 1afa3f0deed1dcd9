import Foundation
import Pipeline

/// A sheet as recorded in the ledger, with its trials.
package struct StoredSheet: Sendable {
    package var sheetID: String
    /// The `user_study` stage fingerprint whose key holds the sheet.
    package var fingerprint: String
    package var rater: Int
    package var artist: String
    package var trials: [TrialKey]
}

/// A recorded answer file.
package struct StoredSubmission: Sendable, Equatable {
    package var sheetID: String
    package var file: String
    /// "accepted" or "excluded".
    package var status: String
    package var reason: String?
}

/// Choices of the method's side for one study (at one ratio) of one study stage, over accepted sheets.
package struct StudyTally: Sendable, Equatable {
    package var fingerprint: String
    package var artist: String
    package var study: StudyKind
    package var ratio: Double
    package var oursChosen: Int
    package var trials: Int
}

/// The study tables of the ledger: answer keys, sheets, trials, submissions, answers.
package final class StudyStore {
    package let ledger: Ledger
    private var db: Ledger { ledger }

    /// Study's own migrations of the ledger, numbered from 1; only ever append.
    static let migrations: [String] = [
        // Each user_study output's answer key, imported by `study ingest`, and the answer files it
        // accepted or excluded. Rejected files are reported, never recorded. (Ledgers made before
        // Study owned its schema have these tables from the ledger's own migration 3.)
        """
        CREATE TABLE IF NOT EXISTS study_keys(fingerprint TEXT NOT NULL, hash TEXT NOT NULL, artist TEXT NOT NULL,
            imported_at REAL NOT NULL, PRIMARY KEY(fingerprint, hash));
        CREATE TABLE IF NOT EXISTS study_sheets(sheet_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, rater INTEGER NOT NULL,
            artist TEXT NOT NULL, trials INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS study_trials(sheet_id TEXT NOT NULL REFERENCES study_sheets(sheet_id), trial_id TEXT NOT NULL,
            position INTEGER NOT NULL, study TEXT NOT NULL, ratio REAL NOT NULL, role TEXT NOT NULL,
            ours_side INTEGER, expected_side INTEGER, source TEXT NOT NULL, PRIMARY KEY(sheet_id, trial_id));
        CREATE TABLE IF NOT EXISTS study_submissions(id INTEGER PRIMARY KEY, sheet_id TEXT NOT NULL UNIQUE REFERENCES study_sheets(sheet_id),
            file TEXT NOT NULL, file_hash TEXT NOT NULL, status TEXT NOT NULL, reason TEXT, ingested_at REAL NOT NULL);
        CREATE TABLE IF NOT EXISTS study_answers(submission_id INTEGER NOT NULL REFERENCES study_submissions(id), trial_id TEXT NOT NULL,
            choice INTEGER NOT NULL, response_ms REAL, PRIMARY KEY(submission_id, trial_id));
        """,
    ]

    /// Opens the study tables of `ledger`, creating or migrating them first.
    package init(ledger: Ledger) throws {
        self.ledger = ledger
        try ledger.register(module: "study", migrations: Self.migrations)
    }

    /// Imports the answer key of every succeeded `user_study` execution not imported yet, reading the
    /// `key` output the ledger recorded and checking it still has its recorded hash. Returns the
    /// number of keys imported and a line for each key that could not be read.
    package func importKeys(store: ArtifactStore) throws -> (imported: Int, problems: [String]) {
        var imported = 0
        var problems: [String] = []
        for fingerprint in try ledger.succeededFingerprints(kind: UserStudyKind.name) {
            guard let output = try ledger.outputs(fingerprint: fingerprint).first(where: { $0.name == UserStudyKind.keyOutput }) else { continue }
            let known = try db.query("SELECT 1 FROM study_keys WHERE fingerprint = ? AND hash = ?", [.text(fingerprint), .text(output.hash)])
            if !known.isEmpty { continue }
            let url = store.outputURL(fingerprint: fingerprint, name: output.name)
            guard FileManager.default.fileExists(atPath: url.path),
                  (try? ContentHasher.sha256(file: url.path)) == output.hash else {
                problems.append("answer key of user_study \(fingerprint.prefix(12)) is missing or changed at \(url.path); rerun the stage")
                continue
            }
            let key = try AnswerKey.read(url)
            try db.transaction {
                for sheet in key.sheets {
                    try db.query("INSERT OR IGNORE INTO study_sheets(sheet_id, fingerprint, rater, artist, trials) VALUES (?, ?, ?, ?, ?)",
                                 [.text(sheet.sheetID), .text(fingerprint), .int(Int64(sheet.rater)), .text(key.artist), .int(Int64(sheet.trials.count))])
                    for (position, trial) in sheet.trials.enumerated() {
                        try db.query("""
                            INSERT OR IGNORE INTO study_trials(sheet_id, trial_id, position, study, ratio, role, ours_side, expected_side, source)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """, [.text(sheet.sheetID), .text(trial.trialID), .int(Int64(position + 1)), .text(trial.study.rawValue),
                                  .double(trial.ratio), .text(trial.role.rawValue), trial.oursSide.map { .int(Int64($0)) } ?? .null,
                                  trial.expectedSide.map { .int(Int64($0)) } ?? .null, .text(trial.source)])
                    }
                }
                try db.query("INSERT INTO study_keys(fingerprint, hash, artist, imported_at) VALUES (?, ?, ?, ?)",
                             [.text(fingerprint), .text(output.hash), .text(key.artist), .double(Date().timeIntervalSince1970)])
            }
            imported += 1
        }
        return (imported, problems)
    }

    /// A recorded sheet with its trials in page order, or nil.
    package func sheet(_ sheetID: String) throws -> StoredSheet? {
        guard let row = try db.query("SELECT fingerprint, rater, artist FROM study_sheets WHERE sheet_id = ?", [.text(sheetID)]).first else { return nil }
        let trials = try db.query("""
            SELECT trial_id, study, ratio, role, ours_side, expected_side, source FROM study_trials WHERE sheet_id = ? ORDER BY position
            """, [.text(sheetID)]).map {
            TrialKey(trialID: $0[0].text ?? "", study: StudyKind(rawValue: $0[1].text ?? "") ?? .realism, ratio: $0[2].double ?? 1,
                     role: TrialRole(rawValue: $0[3].text ?? "") ?? .test, oursSide: $0[4].int.map(Int.init),
                     expectedSide: $0[5].int.map(Int.init), source: $0[6].text ?? "", images: [])
        }
        return StoredSheet(sheetID: sheetID, fingerprint: row[0].text ?? "", rater: Int(row[1].int ?? 0), artist: row[2].text ?? "", trials: trials)
    }

    /// The submission already recorded for a sheet, if any.
    package func submission(sheetID: String) throws -> StoredSubmission? {
        try db.query("SELECT file, status, reason FROM study_submissions WHERE sheet_id = ?", [.text(sheetID)]).first.map {
            StoredSubmission(sheetID: sheetID, file: $0[0].text ?? "", status: $0[1].text ?? "", reason: $0[2].text)
        }
    }

    /// Records a validated answer file and its answers in one transaction.
    package func record(_ file: AnswerFile, sheetID: String, status: String, reason: String?) throws {
        try db.transaction {
            try db.query("INSERT INTO study_submissions(sheet_id, file, file_hash, status, reason, ingested_at) VALUES (?, ?, ?, ?, ?, ?)",
                         [.text(sheetID), .text(file.path), .text(file.hash), .text(status), reason.map(SQLValue.text) ?? .null,
                          .double(Date().timeIntervalSince1970)])
            let submission = db.lastInsertID
            for row in file.rows {
                try db.query("INSERT INTO study_answers(submission_id, trial_id, choice, response_ms) VALUES (?, ?, ?, ?)",
                             [.int(submission), .text(row.trialID), .int(Int64(row.choice)), row.responseMilliseconds.map(SQLValue.double) ?? .null])
            }
        }
    }

    /// Test-trial tallies over accepted sheets, per study stage, study and ratio.
    package func tallies() throws -> [StudyTally] {
        try db.query("""
            SELECT s.fingerprint, s.artist, t.study, t.ratio, SUM(a.choice = t.ours_side), COUNT(*)
            FROM study_answers a JOIN study_submissions u ON u.id = a.submission_id
            JOIN study_trials t ON t.sheet_id = u.sheet_id AND t.trial_id = a.trial_id
            JOIN study_sheets s ON s.sheet_id = u.sheet_id
            WHERE u.status = 'accepted' AND t.role = 'test'
            GROUP BY s.fingerprint, s.artist, t.study, t.ratio ORDER BY s.artist, s.fingerprint, t.study, t.ratio DESC
            """).map {
            StudyTally(fingerprint: $0[0].text ?? "", artist: $0[1].text ?? "", study: StudyKind(rawValue: $0[2].text ?? "") ?? .realism,
                       ratio: $0[3].double ?? 1, oursChosen: Int($0[4].int ?? 0), trials: Int($0[5].int ?? 0))
        }
    }

    /// Accepted and excluded sheet counts per study stage.
    package func submissionCounts() throws -> [String: (accepted: Int, excluded: Int)] {
        var counts: [String: (accepted: Int, excluded: Int)] = [:]
        for row in try db.query("""
            SELECT s.fingerprint, SUM(u.status = 'accepted'), SUM(u.status = 'excluded')
            FROM study_submissions u JOIN study_sheets s ON s.sheet_id = u.sheet_id GROUP BY s.fingerprint
            """) {
            counts[row[0].text ?? ""] = (Int(row[1].int ?? 0), Int(row[2].int ?? 0))
        }
        return counts
    }
}
