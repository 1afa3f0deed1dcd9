import ArgumentParser
import Foundation
import Pipeline
import Results

/// `pleinair show`: one stage's params, inputs, outputs, lineage, timings and log.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a stage: params, inputs, outputs, lineage, timings, log.")

    @Argument(help: "Experiment file (YAML).") var file: String
    @Argument(help: "Stage instance id, e.g. train@monet.") var stage: String
    @Flag(help: "Print JSON.") var json = false
    @Option(help: "Log lines to show.") var logLines = 20
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        let runner = try workspace.runner()
        let plan = try runner.plan(try workspace.load(file, with: runner))
        guard let planned = plan.stage(stage) else {
            let instances = plan.ids(matching: stage)
            throw RunnerError.unknownStage(stage, instances.isEmpty
                ? DidYouMean.suffix(for: stage, in: Array(Set(plan.stages.map(\.instance.stageName))).sorted() + plan.stages.map(\.instance.id))
                : " (instances: \(instances.joined(separator: ", ")))")
        }
        let history = try runner.ledger.executions(experiment: plan.experiment.name, stage: stage)
        let producer = try runner.ledger.producer(fingerprint: planned.fingerprint)
        let outputs = try runner.ledger.outputs(fingerprint: planned.fingerprint)
        let lineage = try producer.map { try runner.ledger.lineage(execution: $0.id) } ?? []
        let metrics = try runner.ledger.metrics(fingerprint: planned.fingerprint)
        let object: [String: Any] = [
            "stage": stage, "kind": planned.instance.kind, "fingerprint": planned.fingerprint,
            "status": StatusCommand.describe(planned.decision),
            "params": planned.instance.params.mapValues(\.description),
            "inputs": planned.instance.inputs.mapValues(\.description),
            // Path inputs and files named by params from the fingerprint; upstream outputs from the lineage.
            "input_hashes": planned.key.inputs.merging(lineage.filter { $0.role == "consumed" }.map { ($0.name, $0.hash) }) { current, _ in current },
            // A cmd stage's code files the fingerprint covers, and how each was reached from the command.
            "code": planned.code.map { ["path": $0.path, "hash": planned.key.inputs[CodeFiles.inputName($0.path)] ?? "", "via": $0.chain] },
            "outputs": outputs.map { ["name": $0.name, "hash": $0.hash, "type": $0.type,
                                      "path": runner.store.outputURL(fingerprint: planned.fingerprint, name: $0.name).path] },
            "lineage": lineage.map { ["role": $0.role, "name": $0.name, "hash": $0.hash] },
            "metrics": metrics.filter { $0.step == nil }.map { ["name": $0.name, "value": $0.value] },
            // Step series (training losses): name → [[step, value], …] in step order.
            "series": Dictionary(grouping: metrics.filter { $0.step != nil }, by: \.name).mapValues { points in
                points.sorted { $0.step! < $1.step! }.map { [$0.step!, $0.value] as [Any] }
            },
            "executions": history.prefix(10).map { e -> [String: Any] in
                ["run": e.runID, "status": e.status.rawValue, "reason": e.reason ?? "", "started": e.startedAt ?? 0,
                 "seconds": (e.finishedAt ?? 0) - (e.startedAt ?? 0), "cpu_seconds": e.cpuSeconds ?? NSNull(),
                 "peak_rss_kb": e.peakRSSKB ?? NSNull(), "host": e.host ?? "", "pid": e.pid ?? 0, "log": e.logPath ?? "",
                 "error": e.error ?? NSNull()]
            },
        ]
        if json {
            print(JSON.text(object))
            return
        }
        print("\(stage)  (\(planned.instance.kind))  \(StatusCommand.describe(planned.decision))")
        print("fingerprint \(planned.fingerprint)")
        print("params:")
        for (k, v) in planned.instance.params.sorted(by: { $0.key < $1.key }) { print("  \(k): \(v)") }
        print("inputs:")
        for (k, v) in planned.instance.inputs.sorted(by: { $0.key < $1.key }) {
            print("  \(k): \(v)" + (planned.key.inputs[k].map { "  sha256:\($0.prefix(16))…" } ?? ""))
        }
        if !planned.code.isEmpty {
            print("code:")
            for file in planned.code {
                let hash = planned.key.inputs[CodeFiles.inputName(file.path)] ?? ""
                print("  \(file.path)  sha256:\(hash.prefix(16))…" + (file.via.isEmpty ? "" : "  (\(file.chain))"))
            }
        }
        print("outputs:")
        for o in outputs { print("  \(o.name) (\(o.type)) sha256:\(o.hash.prefix(16))…  \(runner.store.outputURL(fingerprint: planned.fingerprint, name: o.name).path)") }
        if outputs.isEmpty { print("  (not computed)") }
        if !metrics.isEmpty {
            print("metrics:")
            for m in metrics where m.step == nil { print("  \(m.name) = \(TableRenderer.cell(m.value))") }
            let series = Set(metrics.filter { $0.step != nil }.map(\.name)).sorted()
            for name in series { print("  \(name): \(metrics.filter { $0.name == name }.count) steps") }
        }
        if !lineage.isEmpty {
            print("lineage:")
            for l in lineage { print("  \(l.role) \(l.name) sha256:\(l.hash.prefix(16))…") }
        }
        print("executions:")
        for e in history.prefix(10) {
            let seconds = String(format: "%.2f s", (e.finishedAt ?? e.startedAt ?? 0) - (e.startedAt ?? 0))
            let cpu = e.cpuSeconds.map { String(format: ", cpu %.2f s", $0) } ?? ""
            let rss = e.peakRSSKB.map { ", peak \($0 / 1024) MiB" } ?? ""
            let other = e.fingerprint == planned.fingerprint ? "" : " [other fingerprint \(e.fingerprint.prefix(12))]"
            print("  run \(e.runID): \(e.status.rawValue) \(seconds)\(cpu)\(rss) (\(e.reason ?? ""))\(other)" + (e.error.map { " error: \($0)" } ?? ""))
        }
        // The log of the execution this fingerprint came from (or its latest attempt), never the log
        // of another fingerprint's execution (a `--set` run of the same stage).
        let described = history.first { $0.fingerprint == planned.fingerprint && $0.logPath != nil && $0.status != .cached }
        if let execution = described, let log = execution.logPath, let text = try? String(contentsOfFile: log, encoding: .utf8) {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(logLines + 1)
            print("log of run \(execution.runID), \(execution.status.rawValue) (\(log)):")
            for line in lines where !line.isEmpty { print("  \(line)") }
        } else if let other = history.first(where: { $0.logPath != nil && $0.status != .cached }) {
            print("log: none for fingerprint \(planned.fingerprint.prefix(12)); the latest log, of run \(other.runID), is of fingerprint "
                  + "\(other.fingerprint.prefix(12)) (other params or inputs): \(other.logPath!)")
        }
    }
}
