import Pipeline
import Results

/// The results table collapsed over its replicate axes (mean ± interval per cell), with every
/// figure as `pleinair results --format json` gives it: unrounded, the field names the same.
public struct ReplicateResults: Codable, Sendable, Equatable {
    public struct Cell: Codable, Sendable, Equatable {
        public var mean: Double
        public var sd: Double?
        public var ciLow: Double?
        public var ciHigh: Double?
        public var n: Int
        /// Each replicate's value, by the replicate axes' values joined with "," ("" for a stage that does not vary over them).
        public var values: [String: Double]
        /// The cell as `pleinair results` prints it: `20.2 ± 0.2484`, or `15.5` in a column of single values.
        public var text: String

        enum CodingKeys: String, CodingKey {
            case mean, sd, n, values, text
            case ciLow = "ci_low", ciHigh = "ci_high"
        }
    }

    public struct Row: Codable, Sendable, Equatable {
        public var values: [String]
        public var cells: [String: Cell]
    }

    /// The replicate axes (`seed`) and the axes the rows keep.
    public var replicates: [String]
    public var axes: [String]
    public var columns: [String]
    /// How cells read, as `pleinair results` prints it above the table.
    public var legend: String
    public var rows: [Row]

    public init(_ view: ReplicateTable) {
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
public struct ComparisonResult: Codable, Sendable, Equatable {
    public var comparison: String
    public var row: [String]
    public var a: String
    public var b: String
    public var better: String
    public var pairs: Int
    public var meanDifference: Double?
    public var ciLow: Double?
    public var ciHigh: Double?
    public var wilcoxonP: Double?
    public var signP: Double?
    public var verdict: String
    public var line: String

    enum CodingKeys: String, CodingKey {
        case comparison, row, a, b, better, pairs, verdict, line
        case meanDifference = "mean_difference", ciLow = "ci_low", ciHigh = "ci_high", wilcoxonP = "wilcoxon_p", signP = "sign_p"
    }

    public init(_ result: PairedComparison, _ spec: ComparisonSpec) {
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
