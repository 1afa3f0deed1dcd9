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
            if d.params == nil && d.outputs == nil { for line in Self.commandFields { print("  " + line) } }
            if let declare = d.metrics {
                // The names under the defaults; they may follow the parameters (fid's taps, _random_weights).
                let defaults = Dictionary(uniqueKeysWithValues: (d.params ?? []).compactMap { p in p.defaultValue.map { (p.name, $0) } })
                let names = declare(defaults)
                if !names.isEmpty {
                    print("  metrics: " + names.map { $0.name + ($0.bookkeeping ? " (bookkeeping)" : "") }.joined(separator: ", "))
                }
            }
        }
    }

    /// The keys a `cmd` stage takes besides `kind`, `foreach`, `overrides` and `resources`.
    static let commandFields = [
        "cmd: the shell command (required); ${inputs.NAME}, ${outputs.NAME}, ${params.NAME} and ${metrics} become paths and values, $${X} a shell ${X}",
        "inputs: NAME: a path or STAGE.OUTPUT, any names",
        "outputs: NAME: file or dir, the command writes each at ${outputs.NAME}",
        "params: NAME: any value, for ${params.NAME}; part of the fingerprint",
        "metrics: the metrics file the command must write (otherwise ${metrics} is optional): JSON {\"name\": number, \"series\": [numbers]}",
        "metric_names: [names] the command records; results sections are checked against them (a warning when absent)",
        "code: [files or folders of the workspace] whose content is the command's code (default: detected from the command line)",
    ]
}
