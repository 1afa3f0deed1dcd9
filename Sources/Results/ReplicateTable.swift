import Pipeline
import Statistics

/// A results table with its replicate axes collapsed: a row per combination of the other axes, each
/// cell the mean of the replicate values with its Student-t interval (`ReplicateSummary`).
package struct ReplicateTable: Sendable {
    package var axes: [String]
    package var replicateAxes: [String]
    package var columns: [String]
    package var rows: [Row]
    /// Metrics of stages that run once for the whole experiment (not replicated).
    package var shared: [(column: String, value: Double)]

    package struct Row: Sendable {
        package var values: [String]
        package var cells: [String: ReplicateSummary]
        /// Each column's values by replicate (the replicate axes' values joined with ","), for pairing.
        package var replicates: [String: [String: Double]]
    }

    /// Collapses `table` over `replicates` (axes of the table; others are ignored).
    package init(_ table: ResultsTable, replicates: [String]) {
        let replicateIndices = table.axes.indices.filter { replicates.contains(table.axes[$0]) }
        let keptIndices = table.axes.indices.filter { !replicateIndices.contains($0) }
        axes = keptIndices.map { table.axes[$0] }
        replicateAxes = replicateIndices.map { table.axes[$0] }
        columns = table.columns
        shared = table.shared
        var order: [[String]] = []
        var grouped: [[String]: [String: [String: Double]]] = [:]
        for row in table.rows {
            let key = keptIndices.map { row.values[$0] }
            let replicate = replicateIndices.map { row.values[$0] }.joined(separator: ",")
            if grouped[key] == nil { order.append(key); grouped[key] = [:] }
            for (column, value) in row.metrics {
                // A stage that does not run per replicate has one value, repeated in every replicate's row.
                let replicated = !(table.columnAxes[column] ?? []).isDisjoint(with: replicateAxes)
                grouped[key]![column, default: [:]][replicated ? replicate : ""] = value
            }
        }
        rows = order.map { key in
            let byColumn = grouped[key]!
            let cells = byColumn.compactMapValues { values -> ReplicateSummary? in
                values.isEmpty ? nil : ReplicateSummary(values: values.keys.sorted().map { values[$0]! })
            }
            return Row(values: key, cells: cells, replicates: byColumn)
        }
    }

    /// The replicate counts that occur in the table's cells, most common first.
    package var counts: [Int] {
        var tally: [Int: Int] = [:]
        for row in rows { for cell in row.cells.values { tally[cell.n, default: 0] += 1 } }
        return tally.sorted { ($0.value, $0.key) > ($1.value, $1.key) }.map(\.key)
    }

    /// A line saying how cells read: "mean ± half-width of the 95% Student-t interval over seed (n = 3)".
    package var legend: String {
        let n = counts.first.map { "n = \($0)" + (counts.count > 1 ? " unless a cell says otherwise" : "") } ?? "no values"
        return "mean ± half-width of the 95% Student-t interval over \(replicateAxes.joined(separator: " × ")) (\(n)); "
            + "a single value has no interval"
    }

    /// Whether every cell of `column` holds one value (a stage that does not run per seed).
    package func isSingleValued(_ column: String) -> Bool {
        let cells = rows.compactMap { $0.cells[column] }
        return !cells.isEmpty && cells.allSatisfy { $0.n == 1 }
    }

    /// The column's header: a column of single values says `(n=1)` once, here, not in every cell.
    package func header(_ column: String) -> String { isSingleValued(column) ? column + " (n=1)" : column }

    /// The cell of `column` as people read it: in a column of single values, the value alone.
    package func text(_ summary: ReplicateSummary?, in column: String) -> String {
        guard let summary, summary.n == 1, isSingleValued(column) else { return text(summary) }
        return TableRenderer.cell(summary.mean)
    }

    /// The cell as people read it: `0.6123 ± 0.0312`, or `0.6123 (n=1, no interval)`; n is named
    /// when it differs from the table's usual count.
    package func text(_ summary: ReplicateSummary?) -> String {
        guard let summary else { return "" }
        let usual = counts.first ?? summary.n
        guard let half = summary.halfWidth else { return TableRenderer.cell(summary.mean) + " (n=1, no interval)" }
        return TableRenderer.cell(summary.mean) + " ± " + TableRenderer.cell(half) + (summary.n == usual ? "" : " (n=\(summary.n))")
    }

    /// Every figure of a cell for machine formats: mean, sd, ci_low, ci_high, n and the values.
    package static func fields(_ summary: ReplicateSummary?) -> [String] {
        guard let summary else { return ["", "", "", "", "0", ""] }
        return [TableRenderer.cell(summary.mean, exact: true), TableRenderer.cell(summary.sd, exact: true),
                TableRenderer.cell(summary.low, exact: true), TableRenderer.cell(summary.high, exact: true), String(summary.n),
                summary.values.map { TableRenderer.cell($0, exact: true) }.joined(separator: ";")]
    }

    /// The suffixes of `fields` in CSV headers.
    package static let fieldSuffixes = ["", ".sd", ".ci_low", ".ci_high", ".n", ".values"]
}
