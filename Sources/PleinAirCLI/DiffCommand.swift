import ArgumentParser
import Foundation
import Pipeline
import Results

/// `pleinair diff`: params and metrics that differ between two runs.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff", abstract: "Compare two runs: changed params and metrics per stage.")

    @Argument(help: "First run id (see `pleinair runs`).") var a: Int64
    @Argument(help: "Second run id.") var b: Int64
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        let runner = try workspace.runner()
        for id in [a, b] where try runner.ledger.run(id) == nil { throw RunnerError.unknownRun(String(id)) }
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
            let lm = try l.map { try runner.ledger.metrics(fingerprint: $0.fingerprint).filter { $0.step == nil } } ?? []
            let rm = try r.map { try runner.ledger.metrics(fingerprint: $0.fingerprint).filter { $0.step == nil } } ?? []
            var metricChanges: [[String: Any]] = []
            for name in Set(lm.map(\.name)).union(rm.map(\.name)).sorted() {
                let x = lm.first { $0.name == name }?.value, y = rm.first { $0.name == name }?.value
                if x != y { metricChanges.append(["metric": name, "a": x ?? NSNull(), "b": y ?? NSNull()]) }
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
                print("  \(m["metric"]!): \(x) → \(y)")
            }
        }
    }
}
