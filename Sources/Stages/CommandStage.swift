import Foundation
import Pipeline

/// The `cmd` kind: runs a shell command with declared inputs and outputs.
///
/// In `cmd`, `${inputs.NAME}`, `${outputs.NAME}` and `${params.NAME}` become paths and values,
/// `$${X}` stays a shell `${X}`, and `${metrics}` a JSON file the command may write (`{"name": number, "series": [numbers]}`).
/// The command runs under `/bin/sh -c` in the workspace root, in its own process group so that
/// cancelling kills all of it; stdout and stderr go to the stage's log.
package struct CommandStage: Stage {
    package init() {}

    package var descriptor: StageDescriptor {
        // v2: the fingerprint covers what the command's scripts import and source (CodeClosure).
        StageDescriptor(kind: "cmd", version: 2, summary: "runs a shell command with declared inputs and outputs",
                        params: nil, inputs: nil, outputs: nil)
    }

    package func run(_ context: StageContext) throws -> StageResult {
        guard let template = context.params["cmd"]?.stringValue else { throw StageFailure.message("no command") }
        var declared: [String: ParamValue] = [:]
        if case .map(let map)? = context.params["outputs"] { declared = map }
        for (name, url) in context.outputs where declared[name]?.stringValue == "dir" {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        let metricsURL = context.workDirectory.appendingPathComponent("metrics.json")
        try? FileManager.default.removeItem(at: metricsURL)
        let command = try expand(template, context, metricsURL)
        context.log.write("$ \(command)")
        let (status, cost) = try ChildProcess.run(["/bin/sh", "-c", "cd \(ShellQuote.quote(context.workspace.path)) && \(command)"],
                                                  environment: ["PLEINAIR_STAGE": context.stageID, "PLEINAIR_METRICS": metricsURL.path,
                                                                "PLEINAIR_WORK": context.workDirectory.path],
                                                  logFD: context.log.fileDescriptor, cancellation: context.cancellation)
        try context.checkCancelled()
        guard status == 0 else {
            throw StageFailure.message(status > 128 ? "the command was killed by signal \(status - 128)" : "the command exited with status \(status)")
        }
        var metrics: [Metric] = []
        if FileManager.default.fileExists(atPath: metricsURL.path) {
            metrics = try MetricsFile.read(metricsURL)
            try? FileManager.default.removeItem(at: metricsURL)
        } else if context.params["metrics"] != nil {
            throw StageFailure.message("the command did not write its metrics file (${metrics})")
        }
        return StageResult(metrics: metrics, cost: cost)
    }

    private func expand(_ template: String, _ context: StageContext, _ metrics: URL) throws -> String {
        var out = ""
        var rest = Substring(template)
        while let start = rest.range(of: "${") {
            let before = rest[rest.startIndex..<start.lowerBound]
            if before.hasSuffix("$") {
                // `$${…}` is a literal `${…}` for the shell.
                out += before.dropLast() + "${"
                rest = rest[start.upperBound...]
                continue
            }
            out += before
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                rest = rest[start.lowerBound...]
                break
            }
            let name = String(rest[start.upperBound..<end])
            rest = rest[rest.index(after: end)...]
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            let value: String?
            switch (parts.first, parts.count) {
            case ("inputs", 2): value = context.inputs[parts[1]]?.path
            case ("outputs", 2): value = context.outputs[parts[1]]?.path
            case ("params", 2): value = context.params[parts[1]]?.description
            case ("metrics", 1): value = metrics.path
            default: value = nil
            }
            guard let value else { throw StageFailure.message("the command refers to '${\(name)}', which this stage does not have") }
            out += ShellQuote.quote(value)
        }
        return out + rest
    }
}
