import Foundation
import Pipeline
import UI
import XCTest

/// A ledger the size of a large study: 1,000 stages in one run, one with a 10,000-point loss series.
final class LiveViewScaleTests: XCTestCase {
    func testPageDataForAThousandStagesAndTenThousandPointsIsQuick() throws {
        let live = try LiveWorkspace()
        try live.workspace.prepare()
        let ledger = try Ledger(path: live.workspace.ledgerPath)
        let run = try ledger.beginRun(experiment: "big", file: "big.yaml", argv: [])
        let executions = try ledger.transaction { () throws -> [Int64] in
            var ids: [Int64] = []
            for i in 0..<1000 {
                // A chain of 40 fans of 25: stage i reads stage i - 25.
                let upstream = i >= 25 ? ["in": String(format: "f%063d", i - 25) + ":out"] : [:]
                let key = FingerprintKey(kind: "work", kindVersion: 1, params: ["value": .double(Double(i))], inputs: [:], upstream: upstream)
                try ledger.query("""
                    INSERT INTO executions(run_id, stage_id, kind, fingerprint, key_json, status, reason, started_at, finished_at)
                    VALUES (?, ?, 'work', ?, ?, ?, 'new', 0, 1)
                    """, [.int(run), .text("s\(i)"), .text(String(format: "f%063d", i)), .text(key.json), .text(i < 990 ? "succeeded" : "started")])
                ids.append(ledger.lastInsertID)
            }
            return ids
        }
        try ledger.transaction {
            for step in 0..<10_000 {
                try ledger.query("INSERT INTO metrics(execution_id, fingerprint, name, value, step) VALUES (?, ?, 'loss.G_A', ?, ?)",
                                 [.int(executions[0]), .text(String(format: "f%063d", 0)), .double(1 / Double(step + 1)), .int(Int64(step))])
            }
        }
        try live.serve()
        var timings: [String: Double] = [:]
        for path in ["/api/run?run=1", "/api/metrics?run=1", "/api/stage?run=1&stage=s0", "/api/experiments"] {
            // The first request of each page: nothing cached, a fresh connection to the ledger.
            let began = Date()
            let reply = try live.get(path)
            timings[path] = Date().timeIntervalSince(began)
            XCTAssertEqual(reply.status, 200, path)
        }
        let graph = try live.json(RunGraph.self, "/api/run?run=1")
        XCTAssertEqual(graph.nodes.count, 1000)
        XCTAssertEqual(graph.edges.count, 975)
        XCTAssertEqual(graph.nodes.filter { $0.state == "running" }.count, 10)
        print("scale: " + timings.sorted { $0.key < $1.key }.map { "\($0.key) \(Int($0.value * 1000)) ms" }.joined(separator: ", "))
        // 200 ms is the bound for an optimised build; a debug build gets 5 times that.
        let bound = _isDebugAssertConfiguration() ? 1.0 : 0.2
        for (path, seconds) in timings { XCTAssertLessThan(seconds, bound, path) }
    }
}
