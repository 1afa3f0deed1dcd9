import ArgumentParser
import Foundation
import Pipeline
import Results

/// `pleinair diff`: params, metrics and series that differ between two runs of one experiment.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff",
        abstract: "Compare two runs of one experiment: changed params, metrics and series per stage.",
        discussion: "Runs of two different experiments share no stages worth comparing: diff refuses them unless --across-experiments.")

    @Argument(help: "First run id (see `pleinair runs`).") var a: Int64
    @Argument(help: "Second run id.") var b: Int64
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Compare runs of two different experiments anyway.") var acrossExperiments = false
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        let runner = try workspace.runner()
        var experiments: [String] = []
        for id in [a, b] {
            guard let run = try runner.ledger.run(id) else { throw RunnerError.unknownRun(String(id)) }
            experiments.append(run.experiment)
        }
        if experiments[0] != experiments[1] {
            let message = "run \(a) is of experiment '\(experiments[0])' and run \(b) of '\(experiments[1])'"
            guard acrossExperiments else {
                throw CLIUsageError(message: message + ": compare runs of one experiment (see `pleinair runs`), or pass --across-experiments")
            }
            FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
        }
        let left = Dictionary(try runner.ledger.executions(run: a).map { ($0.stageID, $0) }, uniquingKeysWith: { _, l in l })
        let right = Dictionary(try runner.ledger.executions(run: b).map { ($0.stageID, $0) }, uniquingKeysWith: { _, l in l })
        var entries: [[String: Any]] = []
        for stage in Set(left.keys).union(right.keys).sorted() {
            let l = left[stage], r = right[stage]
            var entry: [String: Any] = ["stage": stage]
            if l?.fingerprint == r?.fingerprint { continue }
            if let lk = l?.key, let rk = r?.key, let reason = RunReason.between(previous: lk, current: rk, upstreamIDs: [:]) {
                entry["change"] = reason.description
            } else {
                entry["change"] = l == nil ? "only in run \(b)" : (r == nil ? "only in run \(a)" : "fingerprint changed")
            }
            let lAll = try l.map { try runner.ledger.metrics(fingerprint: $0.fingerprint) } ?? []
            let rAll = try r.map { try runner.ledger.metrics(fingerprint: $0.fingerprint) } ?? []
            let lm = lAll.filter { $0.step == nil }, rm = rAll.filter { $0.step == nil }
            var metricChanges: [[String: Any]] = []
            for name in Set(lm.map(\.name)).union(rm.map(\.name)).sorted() {
                let x = lm.first { $0.name == name }?.value, y = rm.first { $0.name == name }?.value
                if x != y { metricChanges.append(["metric": name, "a": x ?? NSNull(), "b": y ?? NSNull()]) }
            }
            // A series (a loss per step) differs by its last value and its length.
            for name in Set(lAll.filter { $0.step != nil }.map(\.name)).union(rAll.filter { $0.step != nil }.map(\.name)).sorted() {
                let x = Self.series(lAll, name), y = Self.series(rAll, name)
                if x.map(\.step) != y.map(\.step) || x.map(\.value) != y.map(\.value) {
                    metricChanges.append(["metric": name, "series": true, "a": x.last?.value ?? NSNull(), "b": y.last?.value ?? NSNull(),
                                          "a_steps": x.count, "b_steps": y.count])
                }
            }
            entry["metrics"] = metricChanges
            entries.append(entry)
        }
        if json {
            print(JSON.text(["a": a, "b": b, "stages": entries]))
            return
        }
        if entries.isEmpty { print("runs \(a) and \(b) have the same stages and fingerprints") }
        for entry in entries {
            print("\(entry["stage"]!): \(entry["change"]!)")
            for m in entry["metrics"] as! [[String: Any]] {
                let x = (m["a"] as? Double).map { TableRenderer.cell($0) } ?? "–"
                let y = (m["b"] as? Double).map { TableRenderer.cell($0) } ?? "–"
                if m["series"] != nil {
                    print("  \(m["metric"]!) (series, last of \(m["a_steps"]!) → last of \(m["b_steps"]!) steps): \(x) → \(y)")
                } else {
                    print("  \(m["metric"]!): \(x) → \(y)")
                }
            }
        }
    }

    /// The points of series `name`, in step order.
    static func series(_ metrics: [Metric], _ name: String) -> [Metric] {
        metrics.filter { $0.name == name && $0.step != nil }.sorted { $0.step! < $1.step! }
    }
}
