import Pipeline
import Results

/// The results table collapsed over its replicate axes (mean ± interval per cell), with every
/// figure as `pleinair results --format json` gives it: unrounded, the field names the same.
package struct ReplicateResults: Codable, Sendable, Equatable {
    package struct Cell: Codable, Sendable, Equatable {
        package var mean: Double
        package var sd: Double?
        package var ciLow: Double?
        package var ciHigh: Double?
        package var n: Int
        /// Each replicate's value, by the replicate axes' values joined with "," ("" for a stage that does not vary over them).
        package var values: [String: Double]
        /// The cell as `pleinair results` prints it: `20.2 ± 0.2484`, or `15.5` in a column of single values.
        package var text: String

        enum CodingKeys: String, CodingKey {
            case mean, sd, n, values, text
            case ciLow = "ci_low", ciHigh = "ci_high"
        }
    }

    package struct Row: Codable, Sendable, Equatable {
        package var values: [String]
        package var cells: [String: Cell]
    }

    /// The replicate axes (`seed`) and the axes the rows keep.
    package var replicates: [String]
    package var axes: [String]
    package var columns: [String]
    /// How cells read, as `pleinair results` prints it above the table.
    package var legend: String
    package var rows: [Row]

    package init(_ view: ReplicateTable) {
        replicates = view.replicateAxes
        axes = view.axes
        columns = view.columns
        legend = view.legend
        rows = view.rows.map { row in
            var cells: [String: Cell] = [:]
            for column in view.columns {
                guard let summary = row.cells[column] else { continue }
                cells[column] = Cell(mean: summary.mean, sd: summary.sd, ciLow: summary.low, ciHigh: summary.high, n: summary.n,
                                     values: row.replicates[column] ?? [:], text: view.text(summary, in: column))
            }
            return Row(values: row.values, cells: cells)
        }
    }
}

/// A declared comparison in one row of the collapsed table, with its verdict; the fields of
/// `pleinair results --format json`, and `line` as it prints it.
package struct ComparisonResult: Codable, Sendable, Equatable {
    package var comparison: String
    package var row: [String]
    package var a: String
    package var b: String
    package var better: String
    package var pairs: Int
    package var meanDifference: Double?
    package var ciLow: Double?
    package var ciHigh: Double?
    package var wilcoxonP: Double?
    package var signP: Double?
    package var verdict: String
    package var line: String

    enum CodingKeys: String, CodingKey {
        case comparison, row, a, b, better, pairs, verdict, line
        case meanDifference = "mean_difference", ciLow = "ci_low", ciHigh = "ci_high", wilcoxonP = "wilcoxon_p", signP = "sign_p"
    }

    package init(_ result: PairedComparison, _ spec: ComparisonSpec) {
        comparison = result.name
        row = result.row
        a = spec.a
        b = spec.b
        better = spec.better.rawValue
        pairs = result.pairs
        meanDifference = result.meanDifference
        ciLow = result.low
        ciHigh = result.high
        wilcoxonP = result.wilcoxonP
        signP = result.signP
        verdict = result.verdict
        line = result.line(spec)
    }
}
