import Foundation
@testable import Pipeline
import XCTest

/// Each run's plan, recorded with the run row (migration 4), and ledgers from before it.
final class LedgerPlanTests: XCTestCase {
    func testARunRecordsEveryPlannedStageInPlanOrderWithItsDecision() throws {
        let ws = try TestWorkspace()
        _ = try ws.write("data/raw.txt", "raw data\n")
        _ = try ws.write("exp.yaml", matrixSpec)
        let runner = try ws.runner()
        let plan = try ws.plan()
        try ws.run(runner: runner)
        let recorded = try XCTUnwrap(runner.ledger.plannedStages(run: 1))
        XCTAssertEqual(recorded.map(\.stageID), plan.stages.map(\.instance.id))
        XCTAssertEqual(recorded.map(\.fingerprint), plan.stages.map(\.fingerprint))
        XCTAssertEqual(recorded.map(\.key), plan.stages.map { Optional($0.key) })
        XCTAssertEqual(recorded.map(\.reason), plan.stages.map { stage -> String? in
            if case .run(let reason) = stage.decision { return reason.description } else { return nil }
        })
        XCTAssertTrue(recorded.allSatisfy { $0.reason != nil }, "a first run runs everything")
        try ws.run(runner: runner)
        XCTAssertTrue(try XCTUnwrap(runner.ledger.plannedStages(run: 2)).allSatisfy { $0.reason == nil }, "all from the store")
    }

    func testALedgerFromBeforePlansUpgradesAndAReadOnlyOpenOfItHasNoPlans() throws {
        let ws = try TestWorkspace()
        let path = ws.root.appendingPathComponent("ledger.sqlite").path
        let old = try Ledger(path: path)
        try old.query("DROP TABLE run_plans")
        try old.query("DELETE FROM schema_migrations WHERE version >= 4")
        let run = try old.beginRun(experiment: "x", file: "x.yaml", argv: [])
        XCTAssertNil(try Ledger(readOnlyPath: path).plannedStages(run: run), "not migrated: no plans, no error")
        let upgraded = try Ledger(path: path)
        XCTAssertEqual(try upgraded.schemaVersion(), Ledger.migrations.count)
        XCTAssertNil(try upgraded.plannedStages(run: run), "a run from before plans has none")
        XCTAssertEqual(try upgraded.runs().count, 1)
    }
}
