import Foundation

extension Ledger {
    /// Replaces the metrics of `fingerprint` whose names start with one of `namePrefixes` by `metrics`,
    /// attached to the execution that produced the fingerprint. For figures that arrive after a stage
    /// ran (user-study answers), so `results` shows them beside the stage's own metrics.
    /// Returns false (recording nothing) when no succeeded execution produced the fingerprint.
    @discardableResult
    package func replaceMetrics(fingerprint: String, namePrefixes: [String], with metrics: [Metric]) throws -> Bool {
        guard let producer = try producer(fingerprint: fingerprint) else { return false }
        try db.transaction {
            for prefix in namePrefixes {
                // substr rather than LIKE: prefixes hold '_', which LIKE treats as a wildcard.
                try db.query("DELETE FROM metrics WHERE fingerprint = ? AND substr(name, 1, ?) = ?",
                             [.text(fingerprint), .int(Int64(prefix.count)), .text(prefix)])
            }
            for metric in metrics {
                try db.query("INSERT INTO metrics(execution_id, fingerprint, name, value, step) VALUES (?, ?, ?, ?, ?)",
                             [.int(producer.id), .text(fingerprint), .text(metric.name), .double(metric.value),
                              metric.step.map { .int(Int64($0)) } ?? .null])
            }
        }
        return true
    }

    /// Fingerprints of every succeeded execution of a stage kind, oldest first.
    package func succeededFingerprints(kind: String) throws -> [String] {
        try db.query("SELECT fingerprint FROM executions WHERE kind = ? AND status = 'succeeded' GROUP BY fingerprint ORDER BY MIN(id)",
                     [.text(kind)]).compactMap { $0[0].text }
    }
}
