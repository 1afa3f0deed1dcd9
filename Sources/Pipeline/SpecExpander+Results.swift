/// Checks the results sections against the matrix and the stages.
extension SpecExpander {
    mutating func checkResults(_ spec: ExperimentSpec) {
        let axes = spec.matrix.map(\.name), stages = spec.stages.map(\.name)
        for axis in spec.results.replicates where !axes.contains(axis) {
            error(spec.matrix.first?.location ?? SourceLocation(file: spec.file, line: 1, column: 1), "replicates",
                  "'\(axis)' is not a matrix axis" + DidYouMean.suffix(for: axis, in: axes))
        }
        for comparison in spec.results.comparisons {
            for (side, column) in [("a", comparison.a), ("b", comparison.b)] {
                let stage = String(column.split(separator: ".", maxSplits: 1).first ?? "")
                if !column.contains(".") || !stages.contains(stage) {
                    error(comparison.location, "comparisons.\(comparison.name).\(side)",
                          "'\(column)' is not STAGE.METRIC of a stage here" + DidYouMean.suffix(for: stage, in: stages))
                }
            }
        }
        for table in spec.results.tables {
            for row in table.rows where !stages.contains(row.stage) {
                error(table.location, "tables.\(table.name).rows.\(row.label)",
                      "no stage '\(row.stage)'" + DidYouMean.suffix(for: row.stage, in: stages))
            }
            if let axis = table.axis {
                if !axes.contains(axis) {
                    error(table.location, "tables.\(table.name).columns.axis", "'\(axis)' is not a matrix axis" + DidYouMean.suffix(for: axis, in: axes))
                } else if spec.results.replicates.contains(axis) {
                    error(table.location, "tables.\(table.name).columns.axis", "'\(axis)' is a replicate axis: its values are collapsed, not columns")
                }
            }
        }
    }
}
