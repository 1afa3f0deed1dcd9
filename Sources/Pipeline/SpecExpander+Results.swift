import Foundation

/// Checks the results sections against the matrix, the stages and the metrics each stage declares.
extension SpecExpander {
    mutating func checkResults(_ spec: ExperimentSpec, instances: [StageInstance]) {
        let axes = spec.matrix.map(\.name), stages = spec.stages.map(\.name)
        for axis in spec.results.replicates where !axes.contains(axis) {
            error(spec.matrix.first?.location ?? SourceLocation(file: spec.file, line: 1, column: 1), "replicates",
                  "'\(axis)' is not a matrix axis" + DidYouMean.suffix(for: axis, in: axes))
        }
        let metrics = MetricCatalogue(spec: spec, instances: instances)
        for comparison in spec.results.comparisons {
            for (side, column, written) in [("a", comparison.a, comparison.aLocation), ("b", comparison.b, comparison.bLocation)] {
                let path = "comparisons.\(comparison.name).\(side)"
                let location = locate(column, from: written ?? comparison.location)
                let stage = String(column.split(separator: ".", maxSplits: 1).first ?? "")
                if !column.contains(".") || !stages.contains(stage) {
                    error(location, path, "'\(column)' is not STAGE.METRIC of a stage here" + DidYouMean.suffix(for: stage, in: stages))
                    continue
                }
                let metric = String(column.dropFirst(stage.count + 1))
                let at = SourceLocation(file: location.file, line: location.line, column: location.column + stage.count + 1)
                check(metric, of: [stage], at: at, path, metrics)
            }
        }
        for table in spec.results.tables {
            var known: [String] = []
            for row in table.rows {
                if stages.contains(row.stage) {
                    known.append(row.stage)
                } else {
                    error(table.rowLocations[row.label] ?? table.location, "tables.\(table.name).rows.\(row.label)",
                          "no stage '\(row.stage)'" + DidYouMean.suffix(for: row.stage, in: stages))
                }
            }
            if !known.isEmpty {
                for (i, pattern) in table.metrics.enumerated() {
                    check(pattern, of: known, at: table.metricLocations[pattern] ?? table.location,
                          "tables.\(table.name).columns.metrics[\(i)]", metrics)
                }
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

    /// A metric name or glob must name a metric at least one of `stages` records. Stages whose
    /// metrics are not declared are not checked; a `cmd` stage among them draws a warning.
    private mutating func check(_ pattern: String, of stages: [String], at location: SourceLocation, _ path: String,
                                _ catalogue: MetricCatalogue) {
        var declared: [String] = [], undeclaredCommands: [String] = []
        for stage in stages {
            switch catalogue.declared(stage) {
            case .names(let names): declared += names
            case .undeclaredCommand: undeclaredCommands.append(stage)
            case .unknown: return  // a stage that did not expand (its own errors are reported) or a kind without declarations
            }
        }
        if !undeclaredCommands.isEmpty {
            error(location, path, "cannot check '\(pattern)': the cmd stage\(undeclaredCommands.count == 1 ? "" : "s") "
                  + undeclaredCommands.map { "'\($0)'" }.joined(separator: ", ")
                  + " declare\(undeclaredCommands.count == 1 ? "s" : "") no `metric_names:`", warning: true)
            return
        }
        guard !declared.contains(where: { MetricCatalogue.matches(pattern, $0) }) else { return }
        let names = Array(Set(declared)).sorted()
        let owner = stages.count == 1 ? "stage '\(stages[0])' records" : "stages " + stages.map { "'\($0)'" }.joined(separator: ", ") + " record"
        let what = pattern.contains("*") || pattern.contains("?") ? "matching '\(pattern)'" : "'\(pattern)'"
        let hint = DidYouMean.suffix(for: pattern, in: names)
        error(location, path, "\(owner) no metric \(what)"
              + (hint.isEmpty ? (names.isEmpty ? " (it records none)" : " (it records: \(names.joined(separator: ", ")))") : hint))
    }
}

/// What each stage of an expanded experiment declares it records, over all its instances.
struct MetricCatalogue {
    enum Declared { case names([String]), undeclaredCommand, unknown }

    private var byStage: [String: Declared] = [:]

    init(spec: ExperimentSpec, instances: [StageInstance]) {
        for stage in spec.stages {
            // A `cmd` declares its names on the stage, whether or not its instances expanded.
            if stage.kind == "cmd" {
                byStage[stage.name] = stage.metricNames.map { .names($0.map(\.name)) } ?? .undeclaredCommand
                continue
            }
            // A kind's names depend on each instance's parameters; a stage that did not expand is not checked.
            let mine = instances.filter { $0.stageName == stage.name }
            if !mine.isEmpty, mine.allSatisfy({ $0.metrics != nil }) {
                byStage[stage.name] = .names(Array(Set(mine.flatMap { $0.metrics!.map(\.name) })).sorted())
            }
        }
    }

    func declared(_ stage: String) -> Declared { byStage[stage] ?? .unknown }

    /// Whether a pattern written in a results section can name the declared metric `declared`
    /// (whose `*` parts are known only at run time).
    static func matches(_ pattern: String, _ declared: String) -> Bool {
        fnmatch(pattern, declared, 0) == 0 || fnmatch(declared, pattern, 0) == 0
    }
}
