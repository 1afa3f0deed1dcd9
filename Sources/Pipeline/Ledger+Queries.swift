import Foundation

/// A recorded execution, as `show`, `status` and `diff` read it.
package struct ExecutionRecord: Sendable {
    package var id: Int64
    package var runID: Int64
    package var stageID: String
    package var kind: String
    package var fingerprint: String
    package var key: FingerprintKey?
    package var status: ExecutionStatus
    package var reason: String?
    package var startedAt: Double?
    package var finishedAt: Double?
    package var cpuSeconds: Double?
    package var peakRSSKB: Int?
    package var host: String?
    package var pid: Int?
    package var logPath: String?
    package var error: String?
}

/// A recorded run.
package struct RunRecord: Sendable {
    package var id: Int64
    package var experiment: String
    package var startedAt: Double
    package var finishedAt: Double?
    package var status: String
    /// The command line that started the run (`run demo.yaml --set iters=30`).
    package var argv = ""
    /// The experiment's spec file, as its latest run named it.
    package var file = ""
}

extension Ledger {
    /// The columns `execution(_:)` reads, of `executions e`.
    var executionColumns: String {
        "e.id, e.run_id, e.stage_id, e.kind, e.fingerprint, \(keyJSON(of: "e")), e.status, e.reason, e.started_at, e.finished_at, e.cpu_seconds, e.peak_rss_kb, e.host, e.pid, e.log_path, e.error"
    }

    private func execution(_ row: [SQLValue]) -> ExecutionRecord {
        ExecutionRecord(id: row[0].int ?? 0, runID: row[1].int ?? 0, stageID: row[2].text ?? "", kind: row[3].text ?? "",
                        fingerprint: row[4].text ?? "", key: row[5].text.flatMap(FingerprintKey.fromJSON),
                        status: ExecutionStatus(rawValue: row[6].text ?? "") ?? .failed, reason: row[7].text,
                        startedAt: row[8].double, finishedAt: row[9].double, cpuSeconds: row[10].double,
                        peakRSSKB: row[11].int.map(Int.init), host: row[12].text, pid: row[13].int.map(Int.init),
                        logPath: row[14].text, error: row[15].text)
    }

    /// The latest execution of a stage instance within an experiment.
    package func lastExecution(experiment: String, stage: String) throws -> ExecutionRecord? {
        try db.query("""
            SELECT \(executionColumns) FROM executions e JOIN runs r ON e.run_id = r.id JOIN experiments x ON r.experiment_id = x.id
            WHERE x.name = ? AND e.stage_id = ? ORDER BY e.id DESC LIMIT 1
            """, [.text(experiment), .text(stage)]).first.map(execution)
    }

    /// The executions of a stage instance within an experiment, newest first: every one, or the
    /// newest `limit` (a page that shows a few need not read a long history).
    package func executions(experiment: String, stage: String, limit: Int? = nil) throws -> [ExecutionRecord] {
        try db.query("""
            SELECT \(executionColumns) FROM executions e JOIN runs r ON e.run_id = r.id JOIN experiments x ON r.experiment_id = x.id
            WHERE x.name = ? AND e.stage_id = ? ORDER BY e.id DESC\(limit.map { " LIMIT \($0)" } ?? "")
            """, [.text(experiment), .text(stage)]).map(execution)
    }

    /// The executions of one run.
    package func executions(run: Int64) throws -> [ExecutionRecord] {
        try db.query("SELECT \(executionColumns) FROM executions e WHERE e.run_id = ? ORDER BY e.id", [.int(run)]).map(execution)
    }

    /// The execution that produced the outputs of a fingerprint, if any.
    package func producer(fingerprint: String) throws -> ExecutionRecord? {
        try db.query("""
            SELECT \(executionColumns) FROM executions e WHERE e.fingerprint = ? AND e.status = 'succeeded' ORDER BY e.id DESC LIMIT 1
            """, [.text(fingerprint)]).first.map(execution)
    }

    /// Whether some execution succeeded in producing a fingerprint's outputs (what a plan asks of
    /// every stage; `producer` also decodes the record).
    package func hasProducer(fingerprint: String) throws -> Bool {
        try !db.query("SELECT 1 FROM executions WHERE fingerprint = ? AND status = 'succeeded' LIMIT 1", [.text(fingerprint)]).isEmpty
    }

    package func executionsStillStarted() throws -> [ExecutionRecord] {
        try db.query("SELECT \(executionColumns) FROM executions e WHERE e.status = 'started'").map(execution)
    }

    /// Recorded outputs of a fingerprint.
    package func outputs(fingerprint: String) throws -> [RecordedOutput] {
        try db.query("SELECT o.name, o.hash, a.type FROM outputs o JOIN artifacts a ON a.hash = o.hash WHERE o.fingerprint = ? ORDER BY o.name",
                     [.text(fingerprint)]).map { RecordedOutput(name: $0[0].text ?? "", hash: $0[1].text ?? "", type: $0[2].text ?? "file") }
    }

    /// Every (fingerprint, output) the store is expected to hold.
    package func allOutputs() throws -> [(fingerprint: String, output: RecordedOutput)] {
        try db.query("SELECT o.fingerprint, o.name, o.hash, a.type FROM outputs o JOIN artifacts a ON a.hash = o.hash ORDER BY o.fingerprint, o.name").map {
            ($0[0].text ?? "", RecordedOutput(name: $0[1].text ?? "", hash: $0[2].text ?? "", type: $0[3].text ?? "file"))
        }
    }

    /// Forgets a fingerprint's outputs so the next run recomputes them.
    package func forgetOutputs(fingerprint: String) throws {
        try db.query("DELETE FROM outputs WHERE fingerprint = ?", [.text(fingerprint)])
    }

    /// Metrics recorded for a fingerprint, in insertion order.
    package func metrics(fingerprint: String) throws -> [Metric] {
        try db.query("SELECT name, value, step FROM metrics WHERE fingerprint = ? ORDER BY rowid", [.text(fingerprint)]).map {
            Metric(name: $0[0].text ?? "", value: $0[1].double ?? .nan, step: $0[2].int.map(Int.init))
        }
    }

    /// Lineage rows of an execution: (role, name, hash).
    package func lineage(execution: Int64) throws -> [(role: String, name: String, hash: String)] {
        try db.query("SELECT role, name, hash FROM lineage WHERE execution_id = ? ORDER BY role, name", [.int(execution)]).map {
            ($0[0].text ?? "", $0[1].text ?? "", $0[2].text ?? "")
        }
    }

    /// Runs, newest first, optionally of one experiment.
    package func runs(experiment: String? = nil, limit: Int = 1000) throws -> [RunRecord] {
        var sql = "SELECT r.id, x.name, r.started_at, r.finished_at, r.status, r.argv, x.file FROM runs r JOIN experiments x ON r.experiment_id = x.id"
        var values: [SQLValue] = []
        if let experiment {
            sql += " WHERE x.name = ?"
            values.append(.text(experiment))
        }
        sql += " ORDER BY r.id DESC LIMIT \(limit)"
        return try db.query(sql, values).map {
            RunRecord(id: $0[0].int ?? 0, experiment: $0[1].text ?? "", startedAt: $0[2].double ?? 0, finishedAt: $0[3].double,
                      status: $0[4].text ?? "", argv: $0[5].text ?? "", file: $0[6].text ?? "")
        }
    }

    package func run(_ id: Int64) throws -> RunRecord? {
        try db.query("SELECT r.id, x.name, r.started_at, r.finished_at, r.status, r.argv, x.file FROM runs r JOIN experiments x ON r.experiment_id = x.id WHERE r.id = ?",
                     [.int(id)]).first.map {
            RunRecord(id: $0[0].int ?? 0, experiment: $0[1].text ?? "", startedAt: $0[2].double ?? 0, finishedAt: $0[3].double,
                      status: $0[4].text ?? "", argv: $0[5].text ?? "", file: $0[6].text ?? "")
        }
    }

    /// Names of all experiments recorded.
    package func experimentNames() throws -> [String] {
        try db.query("SELECT name FROM experiments ORDER BY name").compactMap { $0[0].text }
    }

    /// The fingerprint each stage instance of each experiment last succeeded or was cached with.
    package func currentFingerprints() throws -> [String] {
        try db.query("""
            SELECT e.fingerprint FROM executions e WHERE e.id IN (
                SELECT MAX(e2.id) FROM executions e2 JOIN runs r ON e2.run_id = r.id
                WHERE e2.status IN ('succeeded', 'cached') GROUP BY r.experiment_id, e2.stage_id)
            """).compactMap { $0[0].text }
    }
}
