import ArgumentParser
import Foundation
import Pipeline
import Study

/// `pleinair study`: answers of user-study sheets in, statistics out.
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study", abstract: "Ingest user-study answers and report their statistics.",
        subcommands: [StudyIngestCommand.self, StudyReportCommand.self])
}

/// `pleinair study ingest FILE...`
struct StudyIngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Validate answer CSVs downloaded from study sheets, record them in the ledger and report the statistics.",
        discussion: """
            Files naming an unknown sheet or trial, answering a trial twice, leaving trials out, or repeating a sheet \
            already ingested are rejected (nothing of them is recorded). Sheets failing attention checks are recorded \
            but excluded from the statistics. Exits with 1 when any file was rejected.
            """)

    @Argument(help: "Answer files (CSV) as the sheets downloaded them.") var files: [String]
    @Option(help: "Failed attention checks a sheet may have and still count.") var allowedAttentionFailures = 0
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        let runner = try workspace.runner()
        let lock = try WorkspaceLock(path: runner.workspace.lockPath) { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
        defer { withExtendedLifetime(lock) {} }
        let store = try StudyStore(ledger: runner.ledger)
        let keys = try store.importKeys(store: runner.store)
        for problem in keys.problems { FileHandle.standardError.write(Data("warning: \(problem)\n".utf8)) }
        let ingest = StudyIngest(store: store, allowedAttentionFailures: allowedAttentionFailures)
        let outcomes = try ingest.ingest(files.map { URL(fileURLWithPath: $0) })
        var accepted = 0, excluded = 0, rejected = 0
        for outcome in outcomes {
            switch outcome {
            case .accepted: accepted += 1; print(outcome.message)
            case .excluded: excluded += 1; print(outcome.message)
            case .rejected: rejected += 1; FileHandle.standardError.write(Data((outcome.message + "\n").utf8))
            }
        }
        print("\(accepted) accepted, \(excluded) excluded, \(rejected) rejected")
        let rows = try StudyReport.publish(store)
        if !rows.isEmpty { print("\n" + StudyReport.table(rows), terminator: "") }
        if rejected > 0 { throw CLIExit(code: 1) }
    }
}

/// `pleinair study report`
struct StudyReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print per artist and study the share of choices of the method with a Wilson 95% interval and an exact binomial test against 50%.",
        discussion: "Also records the figures again as metrics of the study stages (after a rerun of a stage replaced them).")

    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        let runner = try workspace.runner()
        let lock = try WorkspaceLock(path: runner.workspace.lockPath) { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
        defer { withExtendedLifetime(lock) {} }
        let rows = try StudyReport.publish(try StudyStore(ledger: runner.ledger))
        print(rows.isEmpty ? "no accepted answers yet" : StudyReport.table(rows), terminator: rows.isEmpty ? "\n" : "")
    }
}
