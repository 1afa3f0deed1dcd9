import Foundation
@testable import Pipeline
import XCTest

/// Stage keys stored once per fingerprint (migration 6): what cached executions and run plans
/// refer to, and ledgers written before it, whose rows hold their keys themselves.
final class LedgerStageKeysTests: XCTestCase {
    func testANoOpRerunStoresEachKeyOnceAndEveryReaderGetsItBack() throws {
        let ws = try TestWorkspace()
        _ = try ws.write("data/raw.txt", "raw data\n")
        _ = try ws.write("exp.yaml", matrixSpec)
        let runner = try ws.runner()
        let plan = try ws.plan()
        try ws.run(runner: runner)
        let rerun = try ws.run(runner: runner)
        XCTAssertEqual(rerun.cached.count, plan.stages.count)
        let ledger = runner.ledger
        XCTAssertEqual(try ledger.query("SELECT COUNT(*) FROM stage_keys")[0][0].int, Int64(Set(plan.stages.map(\.fingerprint)).count))
        XCTAssertEqual(try ledger.query("SELECT COUNT(*) FROM executions WHERE run_id = 2 AND key_json <> ''")[0][0].int, 0,
                       "cached executions refer to their key")
        XCTAssertEqual(try ledger.query("SELECT COUNT(*) FROM run_plans WHERE key_json <> ''")[0][0].int, 0)
        let keys = Dictionary(uniqueKeysWithValues: plan.stages.map { ($0.instance.id, $0.key) })
        for execution in try ledger.executions(run: 2) { XCTAssertEqual(execution.key, keys[execution.stageID], execution.stageID) }
        for planned in try XCTUnwrap(ledger.plannedStages(run: 2)) { XCTAssertEqual(planned.key, keys[planned.stageID], planned.stageID) }
        XCTAssertEqual(try ledger.lastExecution(experiment: "toys", stage: "train@monet")?.key, keys["train@monet"])
        XCTAssertEqual(try Ledger(readOnlyPath: ledger.path).executions(run: 2).map(\.key), try ledger.executions(run: 2).map(\.key))
    }

    /// A ledger as the runner left it before migration 6: no `stage_keys`, every row its own key.
    func testALedgerWrittenBeforeStageKeysIsReadAsItWasAndUpgrades() throws {
        let ws = try TestWorkspace()
        _ = try ws.write("data/raw.txt", "raw data\n")
        _ = try ws.write("exp.yaml", matrixSpec)
        try ws.run()
        try ws.run()
        let path = try ws.runner().ledger.path
        let expected = try Ledger(path: path).executions(run: 2).map(\.key)
        let old = try Ledger(path: path)
        for table in ["executions", "run_plans"] {
            try old.query("UPDATE \(table) SET key_json = (SELECT k.key_json FROM stage_keys k WHERE k.fingerprint = \(table).fingerprint) WHERE key_json = ''")
        }
        try old.query("DROP TABLE stage_keys")
        try old.query("DELETE FROM schema_migrations WHERE version >= 6")

        XCTAssertEqual(try Ledger(readOnlyPath: path).executions(run: 2).map(\.key), expected, "not migrated: keys read from the rows")
        let upgraded = try Ledger(path: path)
        XCTAssertEqual(try upgraded.schemaVersion(), Ledger.migrations.count)
        XCTAssertEqual(try upgraded.executions(run: 2).map(\.key), expected)
        XCTAssertNotNil(try upgraded.plannedStages(run: 2)?.first?.key)
        // A change is explained from the old rows' keys; an unchanged stage is still cached.
        _ = try ws.write("exp.yaml", matrixSpec.replacingOccurrences(of: "{value: 2,", with: "{value: 3,"))
        let plan = try ws.plan()
        XCTAssertEqual(plan.stage("prep")?.decision, .cached)
        guard case .run(.paramsChanged)? = plan.stage("train@monet")?.decision else {
            return XCTFail("train@monet: \(String(describing: plan.stage("train@monet")?.decision))")
        }
    }
}
