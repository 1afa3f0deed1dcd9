import Pipeline
import Statistics

/// A table of metrics with one row per matrix combination and one column per `stage.metric`.
package struct ResultsTable: Sendable, Equatable {
    package var axes: [String]
    package var columns: [String]
    package var rows: [Row]
    /// Metrics of stages that run once for the whole experiment, as (column, value).
    package var shared: [(column: String, value: Double)]
    /// Stage instances whose current outputs have not been computed yet.
    package var missing: [String]
    /// The matrix axes each column's stage runs for (a column over fewer axes repeats its value).
    package var columnAxes: [String: Set<String>] = [:]
    /// Columns (and shared metrics) that are series (a loss per step) shown by their last value.
    package var seriesColumns: Set<String> = []

    package struct Row: Sendable, Equatable {
        package var values: [String]
        package var metrics: [String: Double]
    }

    package static func == (a: ResultsTable, b: ResultsTable) -> Bool {
        a.axes == b.axes && a.columns == b.columns && a.rows == b.rows && a.missing == b.missing
            && a.shared.map(\.column) == b.shared.map(\.column) && a.shared.map(\.value) == b.shared.map(\.value)
    }

    /// Builds the table of a plan from the metrics recorded for each stage's current fingerprint.
    /// Series (metrics with steps) contribute their last value.
    package static func build(plan: Plan, metrics: (String) throws -> [Metric]?) rethrows -> ResultsTable {
        try build(plan: plan, fingerprint: { $0.fingerprint }, metrics: metrics)
    }

    /// The same table where each stage's fingerprint comes from `fingerprint` (e.g. the one an
    /// earlier run used); stages it gives none for count as missing.
    package static func build(plan: Plan, fingerprint: (PlannedStage) -> String?, metrics: (String) throws -> [Metric]?) rethrows -> ResultsTable {
        let planned = Dictionary(uniqueKeysWithValues: plan.stages.map { ($0.instance.id, $0) })
        return try build(experiment: plan.experiment, instances: plan.stages.map(\.instance),
                         fingerprint: { planned[$0.id].flatMap(fingerprint) }, metrics: metrics)
    }

    /// The same table without a plan: `fingerprint` names each instance's outputs (the live view
    /// takes them from a run in the ledger, since planning would hash inputs and write the stat cache).
    package static func build(experiment: Experiment, instances: [StageInstance], fingerprint: (StageInstance) -> String?,
                             metrics: (String) throws -> [Metric]?) rethrows -> ResultsTable {
        let axes = experiment.matrix.map(\.name).filter { axis in
            instances.contains { $0.matrixValues.contains { $0.axis == axis } }
        }
        var combos: [[(axis: String, value: String)]] = [[]]
        for axis in experiment.matrix where axes.contains(axis.name) {
            combos = combos.flatMap { prefix in axis.values.map { prefix + [(axis.name, $0)] } }
        }
        var rows = combos.map { Row(values: $0.map(\.value), metrics: [:]) }
        var columns: [String] = []
        var shared: [(column: String, value: Double)] = []
        var missing: [String] = []
        var columnAxes: [String: Set<String>] = [:]
        var series = Set<String>()
        for instance in instances {
            guard let print = fingerprint(instance), let recorded = try metrics(print) else {
                missing.append(instance.id)
                continue
            }
            var last: [String: (step: Int, value: Double)] = [:]
            var order: [String] = []
            for metric in recorded {
                if last[metric.name] == nil { order.append(metric.name) }
                let step = metric.step ?? Int.max
                if let known = last[metric.name], known.step > step { continue }
                last[metric.name] = (step, metric.value)
            }
            for name in order {
                let column = "\(instance.stageName).\(name)"
                let value = last[name]!.value
                if last[name]!.step != Int.max { series.insert(column) }
                if instance.matrixValues.isEmpty {
                    shared.append((column, value))
                    continue
                }
                if !columns.contains(column) { columns.append(column) }
                columnAxes[column, default: []].formUnion(instance.matrixValues.map(\.axis))
                for (i, combo) in combos.enumerated() where instance.matrixValues.allSatisfy({ mv in combo.contains { $0 == mv } }) {
                    rows[i].metrics[column] = value
                }
            }
        }
        var table = ResultsTable(axes: axes, columns: columns, rows: rows, shared: shared, missing: missing)
        table.columnAxes = columnAxes
        table.seriesColumns = series
        return table
    }

    /// Moves matrix axis `axis` from the rows into the columns: `fid.fid64` becomes one column per
    /// value, `ours:fid.fid64`, `cyclegan:fid.fid64` (e.g. a row per artist, a column per method × tap).
    package func pivoted(on axis: String) -> ResultsTable? {
        guard let index = axes.firstIndex(of: axis) else { return nil }
        var values: [String] = []
        for row in rows where !values.contains(row.values[index]) { values.append(row.values[index]) }
        var keys: [[String]] = []
        var merged: [[String]: [String: Double]] = [:]
        for row in rows {
            var key = row.values
            let value = key.remove(at: index)
            if merged[key] == nil { keys.append(key); merged[key] = [:] }
            for (column, metric) in row.metrics { merged[key]![value + ":" + column] = metric }
        }
        let newColumns = columns.flatMap { column in values.map { $0 + ":" + column } }
            .filter { c in merged.values.contains { $0[c] != nil } }
        var newAxes = axes
        newAxes.remove(at: index)
        var table = ResultsTable(axes: newAxes, columns: newColumns, rows: keys.map { Row(values: $0, metrics: merged[$0]!) },
                                 shared: shared, missing: missing)
        for column in columns { for value in values { table.columnAxes[value + ":" + column] = columnAxes[column] } }
        table.seriesColumns = Set(newColumns.filter { seriesColumns.contains(String($0.drop { $0 != ":" }.dropFirst())) })
            .union(seriesColumns.filter { column in shared.contains { $0.column == column } })
        return table
    }
}
