/// Draws a plan's DAG as Graphviz DOT or Mermaid; stages that would run are marked.
package enum DAGRenderer {
    package enum Format: String, CaseIterable, Sendable { case dot, mermaid }

    package static func render(_ plan: Plan, format: Format) -> String {
        let ids = Dictionary(uniqueKeysWithValues: plan.stages.enumerated().map { ($0.element.instance.id, "s\($0.offset)") })
        var out: String
        switch format {
        case .dot:
            out = "digraph \"\(plan.experiment.name)\" {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n"
            for stage in plan.stages {
                let color = stage.decision.willRun ? ", color=orange" : ""
                out += "  \(ids[stage.instance.id]!) [label=\"\(stage.instance.id)\\n(\(stage.instance.kind))\"\(color)];\n"
            }
            for stage in plan.stages {
                for (name, source) in stage.instance.inputs.sorted(by: { $0.key < $1.key }) {
                    if case .output(let upstream, let output, _) = source {
                        out += "  \(ids[upstream]!) -> \(ids[stage.instance.id]!) [label=\"\(output)→\(name)\"];\n"
                    }
                }
            }
            out += "}\n"
        case .mermaid:
            out = "graph LR\n"
            for stage in plan.stages {
                out += "  \(ids[stage.instance.id]!)[\"\(stage.instance.id) (\(stage.instance.kind))\"]\n"
            }
            for stage in plan.stages {
                for (name, source) in stage.instance.inputs.sorted(by: { $0.key < $1.key }) {
                    if case .output(let upstream, let output, _) = source {
                        out += "  \(ids[upstream]!) -->|\(output)→\(name)| \(ids[stage.instance.id]!)\n"
                    }
                }
            }
            let stale = plan.stages.filter { $0.decision.willRun }.map { ids[$0.instance.id]! }
            if !stale.isEmpty {
                out += "  classDef stale stroke:#f80\n  class \(stale.joined(separator: ",")) stale\n"
            }
        }
        return out
    }
}
