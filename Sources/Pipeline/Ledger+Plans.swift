import Foundation

/// A stage a run planned, as recorded when the run began: enough to draw it before it starts.
package struct PlannedStageRecord: Sendable, Equatable {
    package var position: Int
    package var stageID: String
    package var kind: String
    package var fingerprint: String
    package var key: FingerprintKey?
    /// Why it will run; nil where the plan found its outputs in the store.
    package var reason: String?
}

extension Ledger {
    /// Records the stages run `run` plans, in plan order. Called inside `beginRun`'s transaction;
    /// one prepared statement for all rows, so a no-op rerun stays fast.
    /// Keys go to `stage_keys`, once per fingerprint; each row's own `key_json` is ''.
    func recordPlan(run: Int64, _ stages: [PlannedStage]) throws {
        try storeKeys(stages)
        try db.execute("""
            INSERT INTO run_plans(run_id, position, stage_id, kind, fingerprint, key_json, reason) VALUES (?, ?, ?, ?, ?, '', ?)
            """, rows: stages.enumerated().map { position, stage in
                let reason: SQLValue
                if case .run(let why) = stage.decision { reason = .text(why.description) } else { reason = .null }
                return [.int(run), .int(Int64(position)), .text(stage.instance.id), .text(stage.instance.kind), .text(stage.fingerprint), reason]
            })
    }

    /// The stages run `run` planned, in plan order; nil where the ledger has no plans (a ledger not
    /// yet migrated, opened read-only) or this run recorded none (it began before plans were kept).
    package func plannedStages(run: Int64) throws -> [PlannedStageRecord]? {
        guard try !db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'run_plans'").isEmpty else { return nil }
        let rows = try db.query("""
            SELECT p.position, p.stage_id, p.kind, p.fingerprint, \(keyJSON(of: "p")), p.reason FROM run_plans p WHERE p.run_id = ? ORDER BY p.position
            """, [.int(run)])
        guard !rows.isEmpty else { return nil }
        return rows.map {
            PlannedStageRecord(position: Int($0[0].int ?? 0), stageID: $0[1].text ?? "", kind: $0[2].text ?? "",
                               fingerprint: $0[3].text ?? "", key: $0[4].text.flatMap(FingerprintKey.fromJSON), reason: $0[5].text)
        }
    }
}

extension ExecutionRecord {
    /// A planned stage that has not started yet, as an execution with no times (its status reads
    /// `started`, the nearest there is: callers show it as waiting).
    package init(waiting planned: PlannedStageRecord, run: Int64) {
        self.init(id: 0, runID: run, stageID: planned.stageID, kind: planned.kind, fingerprint: planned.fingerprint,
                  key: planned.key, status: .started, reason: planned.reason, startedAt: nil, finishedAt: nil, cpuSeconds: nil,
                  peakRSSKB: nil, host: nil, pid: nil, logPath: nil, error: nil)
    }
}
