import Foundation
import Pipeline
import Statistics

/// A declared comparison evaluated in one row of the collapsed table: the two columns paired over
/// the replicates both have, the mean difference a − b with its 95% paired-t interval, the
/// Wilcoxon signed-rank and sign-test p-values, and a verdict in words.
///
/// The verdict follows the interval: "A better" or "B better" when it excludes 0, else "no
/// difference shown". With few replicates the signed-rank test cannot reach 5% (its smallest
/// two-sided p-value is 0.25 for 3 pairs, 0.0625 for 5), so its p-value is reported beside the
/// interval, not used for the verdict.
package struct PairedComparison: Sendable {
    package var name: String
    package var row: [String]
    package var pairs: Int
    package var meanDifference: Double?
    package var low: Double?
    package var high: Double?
    package var wilcoxonP: Double?
    package var signP: Double?
    package var verdict: String

    /// The comparison in every row of `table` where both columns have values. A side that does not
    /// vary over the replicates (the untranslated paintings) has one value, compared with each
    /// replicate of the other side.
    ///
    /// With `over: images`, `items(column, row)` gives a column's per-item values in a row, by
    /// replicate then by item; pairs are (replicate, item) present on both sides.
    package static func evaluate(_ spec: ComparisonSpec, in table: ReplicateTable,
                                items: ((String, [String]) -> [String: [String: Double]]?)? = nil) -> [PairedComparison] {
        let columnA = resolve(spec.a, in: table.columns), columnB = resolve(spec.b, in: table.columns)
        if spec.perItem {
            return table.rows.compactMap { row in
                guard let columnA, let columnB, let a = items?(columnA, row.values), let b = items?(columnB, row.values) else {
                    return nil
                }
                let keys = a.keys.sorted()
                var differences: [Double] = []
                for key in keys {
                    guard let side = b.count == 1 && b[""] != nil ? b[""] : b[key] else { continue }
                    for (item, value) in a[key]!.sorted(by: { $0.key < $1.key }) {
                        if let other = side[item] { differences.append(value - other) }
                    }
                }
                return PairedComparison(spec, row: row.values, differences: differences)
            }
        }
        return table.rows.compactMap { row in
            guard let a = columnA.flatMap({ row.replicates[$0] }), let b = columnB.flatMap({ row.replicates[$0] }) else { return nil }
            let differences: [Double]
            if let single = b[""], b.count == 1 {
                differences = a.keys.sorted().map { a[$0]! - single }
            } else if let single = a[""], a.count == 1 {
                differences = b.keys.sorted().map { single - b[$0]! }
            } else {
                differences = Set(a.keys).intersection(b.keys).sorted().map { a[$0]! - b[$0]! }
            }
            return PairedComparison(spec, row: row.values, differences: differences)
        }
    }

    /// The column `pattern` names: itself, or the shortest column it matches as a glob
    /// (`fid_ours.fid2048*` is `fid2048` with real weights, `fid2048_random_weights` without).
    static func resolve(_ pattern: String, in columns: [String]) -> String? {
        columns.contains(pattern) ? pattern : columns.filter { fnmatch(pattern, $0, 0) == 0 }.min { $0.count < $1.count }
    }

    init(_ spec: ComparisonSpec, row: [String], differences: [Double]) {
        name = spec.name
        self.row = row
        pairs = differences.count
        guard !differences.isEmpty else {
            verdict = "no paired values"
            return
        }
        let summary = ReplicateSummary(values: differences)
        meanDifference = summary.mean
        low = summary.low
        high = summary.high
        wilcoxonP = Statistics.wilcoxonSignedRank(differences).pValue
        signP = Statistics.signTest(differences)
        guard let low = summary.low, let high = summary.high else {
            verdict = "no interval (one pair)"
            return
        }
        if low > 0 || high < 0 {
            let aWins = (low > 0) == (spec.better == .higher)
            verdict = "\(aWins ? spec.labels.a : spec.labels.b) better"
        } else {
            verdict = "no difference shown"
        }
    }

    /// One line for people: `psnr [impressionist]: ours − CycleGAN = 0.071 [−0.02, 0.16], n=3, Wilcoxon p=0.25, sign p=0.25: no difference shown`.
    package func line(_ spec: ComparisonSpec) -> String {
        let place = row.isEmpty ? "" : " [\(row.joined(separator: ", "))]"
        guard let mean = meanDifference else { return "\(name)\(place): \(verdict)" }
        var text = "\(name)\(place): \(spec.labels.a) − \(spec.labels.b)\(spec.perItem ? " per image" : "") = \(TableRenderer.cell(mean))"
        if let low, let high { text += " [\(TableRenderer.cell(low)), \(TableRenderer.cell(high))]" }
        text += ", n=\(pairs)"
        if let wilcoxonP, let signP { text += ", Wilcoxon p=\(TableRenderer.cell(wilcoxonP)), sign p=\(TableRenderer.cell(signP))" }
        return text + ": " + verdict
    }
}
