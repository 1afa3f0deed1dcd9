import Foundation
import Pipeline
import Statistics

/// One line of a study report: the share of choices of the method's image in one study of one stage.
package struct StudyReportRow: Sendable, Equatable {
    package var fingerprint: String
    package var artist: String
    /// `realism`, `coherence` or `real_or_fake@RATIO`.
    package var label: String
    /// Successes are choices of the method's image (in `real_or_fake`: taken for the real photograph).
    package var estimate: ShareEstimate
}

/// Statistics over accepted sheets, and their publication as metrics of the study stages.
package enum StudyReport {
    /// Metric name prefixes the report owns on a study stage's fingerprint.
    package static let metricPrefixes = StudyKind.allCases.map(\.rawValue) + ["sheets_"]

    /// The report rows, per artist, stage and study.
    package static func rows(_ store: StudyStore) throws -> [StudyReportRow] {
        try store.tallies().map {
            StudyReportRow(fingerprint: $0.fingerprint, artist: $0.artist, label: $0.study.label(ratio: $0.ratio),
                           estimate: ShareEstimate(successes: $0.oursChosen, trials: $0.trials))
        }
    }

    /// The metrics of one study stage: `<label>.ours`, `.ci_low`, `.ci_high`, `.p`, `.n` per study,
    /// and the counts of accepted and excluded sheets.
    package static func metrics(_ rows: [StudyReportRow], accepted: Int, excluded: Int) -> [Metric] {
        var metrics = [Metric(name: "sheets_accepted", value: Double(accepted)), Metric(name: "sheets_excluded", value: Double(excluded))]
        for row in rows {
            metrics += [
                Metric(name: "\(row.label).ours", value: row.estimate.share),
                Metric(name: "\(row.label).ci_low", value: row.estimate.low),
                Metric(name: "\(row.label).ci_high", value: row.estimate.high),
                Metric(name: "\(row.label).p", value: row.estimate.pValue),
                Metric(name: "\(row.label).n", value: Double(row.estimate.trials)),
            ]
        }
        return metrics
    }

    /// Records every study stage's figures as metrics of its fingerprint (replacing earlier ones), so
    /// `pleinair results` shows them; returns the rows.
    @discardableResult
    package static func publish(_ store: StudyStore) throws -> [StudyReportRow] {
        let rows = try rows(store)
        let counts = try store.submissionCounts()
        for fingerprint in Set(counts.keys).union(rows.map(\.fingerprint)) {
            let own = rows.filter { $0.fingerprint == fingerprint }
            let count = counts[fingerprint] ?? (0, 0)
            try store.ledger.replaceMetrics(fingerprint: fingerprint, namePrefixes: metricPrefixes,
                                            with: metrics(own, accepted: count.accepted, excluded: count.excluded))
        }
        return rows
    }

    /// The rows as a plain-text table.
    package static func table(_ rows: [StudyReportRow]) -> String {
        let header = ["artist", "study", "stage", "ours", "n", "share", "95% CI (Wilson)", "p (binomial, 50%)"]
        let body = rows.map { row -> [String] in
            let e = row.estimate
            return [row.artist.isEmpty ? "-" : row.artist, row.label, String(row.fingerprint.prefix(12)), "\(e.successes)", "\(e.trials)",
                    format(e.share), "[\(format(e.low)), \(format(e.high))]", String(format: "%.4g", e.pValue)]
        }
        let widths = header.indices.map { c in ([header] + body).map { $0[c].count }.max() ?? 0 }
        return ([header] + body).map { cells in
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
    }

    private static func format(_ value: Double) -> String { value.isNaN ? "-" : String(format: "%.3f", value) }
}
