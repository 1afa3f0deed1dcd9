import ArgumentParser
import Foundation
import Pipeline

/// `pleinair runs`: the runs of each experiment, newest first, with what each ran.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs",
        abstract: "List runs per experiment: ids (for `diff`), times, command lines, and which stages ran, were cached or failed.")

    @Argument(help: "Only this experiment (its name).") var experiment: String?
    @Option(help: "Runs to list per experiment.") var limit = 20
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        let ledger = try workspace.runner().ledger
        let names = try ledger.experimentNames()
        if let experiment, !names.contains(experiment) {
            throw CLIUsageError(message: "no runs of an experiment '\(experiment)'" + DidYouMean.suffix(for: experiment, in: names))
        }
        var listing: [[String: Any]] = []
        for name in names where experiment == nil || name == experiment {
            for run in try ledger.runs(experiment: name, limit: max(1, limit)) {
                let executions = try ledger.executions(run: run.id)
                let ran = executions.filter { $0.status == .succeeded }.map(\.stageID)
                let failed = executions.filter { $0.status == .failed }.map(\.stageID)
                let cached = executions.filter { $0.status == .cached }.count
                listing.append(["experiment": name, "run": run.id, "status": run.status, "started": run.startedAt,
                                "seconds": run.finishedAt.map { $0 - run.startedAt } ?? NSNull(), "argv": run.argv,
                                "file": run.file, "ran": ran, "failed": failed, "cached": cached])
            }
        }
        if json {
            print(JSON.text(["runs": listing]))
            return
        }
        if listing.isEmpty { print("no runs recorded in this workspace") }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        var current = ""
        for entry in listing {
            let name = entry["experiment"] as! String
            if name != current {
                print("\(name)  (\(entry["file"] as! String))")
                current = name
            }
            let started = formatter.string(from: Date(timeIntervalSince1970: entry["started"] as! Double))
            let seconds = (entry["seconds"] as? Double).map { String(format: "%.1f s", $0) } ?? "–"
            let ran = entry["ran"] as! [String], failed = entry["failed"] as! [String]
            var what = "\(ran.count) ran, \(entry["cached"] as! Int) cached"
            if !failed.isEmpty { what += ", \(failed.count) failed: " + failed.joined(separator: ", ") }
            if !ran.isEmpty { what += "; ran " + Self.abbreviated(ran) }
            print("  run \(entry["run"]!)  \(started)  \(seconds)  \(entry["status"]!)  \(what)")
            if let argv = entry["argv"] as? String, !argv.isEmpty { print("      \(argv)") }
        }
    }

    /// At most five ids, then how many more.
    static func abbreviated(_ ids: [String]) -> String {
        ids.prefix(5).joined(separator: ", ") + (ids.count > 5 ? " and \(ids.count - 5) more" : "")
    }
}
