import ArgumentParser
import Pipeline
import Stages
import Results

extension DAGRenderer.Format: ExpressibleByArgument {}
extension TableFormat: ExpressibleByArgument {}

/// `pleinair dag`: the experiment's DAG as DOT or Mermaid.
struct DagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dag", abstract: "Print the stage DAG (stale stages highlighted).")

    @Argument(help: "Experiment file (YAML).") var file: String
    @Option(help: "dot or mermaid.") var format: DAGRenderer.Format = .dot
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        let runner = try workspace.runner()
        print(DAGRenderer.render(try runner.plan(try workspace.load(file, with: runner)), format: format), terminator: "")
    }
}

/// `pleinair kinds`: the stage kinds this build knows, with their parameters.
struct KindsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kinds", abstract: "List stage kinds and their parameters.")

    func run() throws {
        for stage in AllStages.all {
            let d = stage.descriptor
            print("\(d.kind) (v\(d.version)): \(d.summary)")
            if let inputs = d.inputs, !inputs.isEmpty { print("  inputs: " + inputs.map { $0.name + ($0.required ? "" : "?") }.joined(separator: ", ")) }
            if let outputs = d.outputs { print("  outputs: " + outputs.joined(separator: ", ")) }
            for p in d.params ?? [] {
                let rule = p.rule.map { ", \($0)" } ?? ""
                print("  \(p.name): \(p.type)\(rule) = \(p.defaultValue?.description ?? "(required)")  — \(p.doc)")
            }
        }
    }
}
