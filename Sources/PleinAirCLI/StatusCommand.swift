import ArgumentParser
import Foundation
import Pipeline

/// `pleinair status`: every stage with whether it is cached or why it would run.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show which stages are stale and why.")

    @Argument(help: "Experiment files (YAML).") var files: [String]
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        let runner = try workspace.runner()
        var out: [[String: Any]] = []
        for file in files {
            let plan = try runner.plan(try workspace.load(file, with: runner))
            if json {
                out.append(["experiment": plan.experiment.name,
                            "stages": plan.stages.map { ["stage": $0.instance.id, "kind": $0.instance.kind, "fingerprint": $0.fingerprint,
                                                         "stale": $0.decision.willRun, "reason": StatusCommand.describe($0.decision)] }])
            } else {
                print("\(plan.experiment.name) (\(file))")
                print(StatusCommand.render(plan))
            }
        }
        if json { print(JSON.text(out.count == 1 ? out[0] : out)) }
    }

    static func describe(_ decision: StageDecision) -> String {
        switch decision {
        case .cached: return "cached"
        case .run(let reason): return reason.description
        }
    }

    static func render(_ plan: Plan) -> String {
        let width = plan.stages.map(\.instance.id.count).max() ?? 0
        var lines = plan.stages.map { stage -> String in
            let mark = stage.decision.willRun ? "stale " : "cached"
            let pad = String(repeating: " ", count: width - stage.instance.id.count)
            return "  \(mark)  \(stage.instance.id)\(pad)  \(stage.decision.willRun ? describe(stage.decision) : "")".trimmingCharacters(in: .whitespaces)
        }.map { "  " + $0 }
        let stale = plan.stages.filter { $0.decision.willRun }.count
        lines.append("\(stale) of \(plan.stages.count) stages would run")
        return lines.joined(separator: "\n")
    }
}
