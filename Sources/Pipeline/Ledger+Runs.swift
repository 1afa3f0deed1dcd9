import Foundation

/// A stage output as recorded: which artifact holds it.
package struct RecordedOutput: Sendable, Equatable {
    package var name: String
    package var hash: String
    /// "file" or "tree".
    package var type: String
}

/// A metric value, with its step for per-iteration series.
package struct Metric: Sendable, Equatable {
    package var name: String
    package var value: Double
    package var step: Int?

    package init(name: String, value: Double, step: Int? = nil) {
        self.name = name
        self.value = value
        self.step = step
    }
}

/// What an execution cost.
package struct ExecutionCost: Sendable {
    package var cpuSeconds: Double?
    package var peakRSSKB: Int?

    package init(cpuSeconds: Double? = nil, peakRSSKB: Int? = nil) {
        self.cpuSeconds = cpuSeconds
        self.peakRSSKB = peakRSSKB
    }
}

extension Ledger {
    /// Records a new run of `experiment` and the stages it plans, in one transaction, and returns its id.
    package func beginRun(experiment: String, file: String, argv: [String], plan: [PlannedStage] = []) throws -> Int64 {
        try db.transaction {
            try db.query("INSERT INTO experiments(name, file, created_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET file = excluded.file",
                         [.text(experiment), .text(file), .double(Ledger.now)])
            let experimentID = try db.query("SELECT id FROM experiments WHERE name = ?", [.text(experiment)])[0][0]
            try db.query("INSERT INTO runs(experiment_id, started_at, status, host, pid, argv) VALUES (?, ?, 'running', ?, ?, ?)",
                         [experimentID, .double(Ledger.now), .text(Ledger.hostName), .int(Int64(getpid())), .text(argv.joined(separator: " "))])
            let run = db.lastInsertID
            try recordPlan(run: run, plan)
            return run
        }
    }

    package func finishRun(_ run: Int64, status: String) throws {
        try db.query("UPDATE runs SET finished_at = ?, status = ? WHERE id = ?", [.double(Ledger.now), .text(status), .int(run)])
    }

    /// Executions left `started` by a process that died: marks them interrupted and returns their stage ids.
    /// Call only while holding the workspace lock, when no other process can be running stages.
    package func recoverInterrupted() throws -> [String] {
        try db.transaction {
            let rows = try db.query("SELECT stage_id FROM executions WHERE status = 'started'")
            try db.query("UPDATE executions SET status = 'interrupted', finished_at = ?, error = 'the process running it died' WHERE status = 'started'", [.double(Ledger.now)])
            try db.query("UPDATE runs SET status = 'interrupted', finished_at = COALESCE(finished_at, ?) WHERE status = 'running'", [.double(Ledger.now)])
            return rows.compactMap { $0[0].text }
        }
    }

    /// Records that a stage starts (its own transaction, before any work).
    package func recordStarted(run: Int64, stage: PlannedStage, reason: String, logPath: String?) throws -> Int64 {
        try db.transaction {
            try db.query("""
                INSERT INTO executions(run_id, stage_id, kind, fingerprint, key_json, status, reason, started_at, host, pid, log_path)
                VALUES (?, ?, ?, ?, ?, 'started', ?, ?, ?, ?, ?)
                """, [.int(run), .text(stage.instance.id), .text(stage.instance.kind), .text(stage.fingerprint), .text(stage.key.json),
                      .text(reason), .double(Ledger.now), .text(Ledger.hostName), .int(Int64(getpid())), logPath.map(SQLValue.text) ?? .null])
            return db.lastInsertID
        }
    }

    /// Records a finished execution with its outputs, lineage and metrics in one transaction.
    package func recordSucceeded(_ execution: Int64, fingerprint: String, outputs: [RecordedOutput], sizes: [String: Int64],
                                consumed: [(name: String, hash: String)], metrics: [Metric], cost: ExecutionCost) throws {
        try db.transaction {
            for output in outputs {
                try db.query("INSERT OR IGNORE INTO artifacts(hash, type, size) VALUES (?, ?, ?)",
                             [.text(output.hash), .text(output.type), .int(sizes[output.hash] ?? 0)])
                try db.query("INSERT OR REPLACE INTO outputs(fingerprint, name, hash, execution_id) VALUES (?, ?, ?, ?)",
                             [.text(fingerprint), .text(output.name), .text(output.hash), .int(execution)])
                try db.query("INSERT INTO lineage(execution_id, role, name, hash) VALUES (?, 'produced', ?, ?)",
                             [.int(execution), .text(output.name), .text(output.hash)])
            }
            for input in consumed {
                try db.query("INSERT INTO lineage(execution_id, role, name, hash) VALUES (?, 'consumed', ?, ?)",
                             [.int(execution), .text(input.name), .text(input.hash)])
            }
            try db.query("DELETE FROM metrics WHERE fingerprint = ?", [.text(fingerprint)])
            for metric in metrics {
                try db.query("INSERT INTO metrics(execution_id, fingerprint, name, value, step) VALUES (?, ?, ?, ?, ?)",
                             [.int(execution), .text(fingerprint), .text(metric.name), .double(metric.value), metric.step.map { .int(Int64($0)) } ?? .null])
            }
            try finish(execution, status: .succeeded, error: nil, cost: cost)
        }
    }

    /// Records a failed, interrupted or skipped execution.
    package func recordEnded(_ execution: Int64, status: ExecutionStatus, error: String?, cost: ExecutionCost = ExecutionCost()) throws {
        try db.transaction { try finish(execution, status: status, error: error, cost: cost) }
    }

    private func finish(_ execution: Int64, status: ExecutionStatus, error: String?, cost: ExecutionCost) throws {
        try db.query("UPDATE executions SET status = ?, finished_at = ?, error = ?, cpu_seconds = ?, peak_rss_kb = ? WHERE id = ?",
                     [.text(status.rawValue), .double(Ledger.now), error.map(SQLValue.text) ?? .null,
                      cost.cpuSeconds.map(SQLValue.double) ?? .null, cost.peakRSSKB.map { .int(Int64($0)) } ?? .null, .int(execution)])
    }

    /// Records stages whose outputs came from the store, or that were skipped, all in one
    /// transaction, with one prepared statement; their keys go to `stage_keys`, once per fingerprint.
    package func recordWithoutRunning(run: Int64, stages: [(stage: PlannedStage, status: ExecutionStatus, note: String)]) throws {
        guard !stages.isEmpty else { return }
        let now = Ledger.now, host = Ledger.hostName, pid = Int64(getpid())
        try db.transaction {
            try storeKeys(stages.map(\.stage))
            try db.execute("""
                INSERT INTO executions(run_id, stage_id, kind, fingerprint, key_json, status, reason, started_at, finished_at, host, pid)
                VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?)
                """, rows: stages.map { stage, status, note in
                    [.int(run), .text(stage.instance.id), .text(stage.instance.kind), .text(stage.fingerprint),
                     .text(status.rawValue), .text(note), .double(now), .double(now), .text(host), .int(pid)]
                })
        }
    }

    /// Records a cluster job's latest state for an execution.
    package func recordJob(execution: Int64, _ status: ClusterJobStatus) throws {
        try db.query("""
            INSERT INTO cluster_jobs(execution_id, job_id, state, node, elapsed, max_rss_kb, reason, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(execution_id, job_id) DO UPDATE SET state = excluded.state, node = COALESCE(excluded.node, node),
                elapsed = COALESCE(excluded.elapsed, elapsed), max_rss_kb = COALESCE(excluded.max_rss_kb, max_rss_kb),
                reason = COALESCE(excluded.reason, reason), updated_at = excluded.updated_at
            """, [.int(execution), .text(status.jobID), .text(status.state), status.node.map(SQLValue.text) ?? .null,
                  status.elapsed.map(SQLValue.text) ?? .null, status.maxRSSKB.map { .int(Int64($0)) } ?? .null,
                  status.reason.map(SQLValue.text) ?? .null, .double(Ledger.now)])
    }

    /// Cluster jobs recorded for an execution.
    package func jobs(execution: Int64) throws -> [ClusterJobStatus] {
        try db.query("SELECT job_id, state, node, elapsed, max_rss_kb, reason FROM cluster_jobs WHERE execution_id = ? ORDER BY rowid",
                     [.int(execution)]).map {
            ClusterJobStatus(jobID: $0[0].text ?? "", state: $0[1].text ?? "", node: $0[2].text, elapsed: $0[3].text,
                             maxRSSKB: $0[4].int.map(Int.init), reason: $0[5].text)
        }
    }

    /// Jobs the cluster may still be running, by stage fingerprint: what a restarted controller re-attaches to.
    package func unfinishedJobs() throws -> [(fingerprint: String, execution: Int64, job: String)] {
        try db.query("""
            SELECT e.fingerprint, e.id, j.job_id FROM cluster_jobs j JOIN executions e ON e.id = j.execution_id
            WHERE j.state IN ('SUBMITTED', 'PENDING', 'RUNNING', 'CONFIGURING', 'COMPLETING', 'REQUEUED', 'RESIZING', 'SUSPENDED')
            ORDER BY j.rowid
            """).map { ($0[0].text ?? "", $0[1].int ?? 0, $0[2].text ?? "") }
    }
}
