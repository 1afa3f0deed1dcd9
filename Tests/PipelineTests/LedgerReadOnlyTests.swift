import Foundation
@testable import Pipeline
import XCTest

/// The read-only open the live view uses: it reads beside a writer and can change nothing.
final class LedgerReadOnlyTests: XCTestCase {
    func testAReadOnlyLedgerReadsWhatAWriterCommitsWhileTheWriterKeepsItOpen() throws {
        let ws = try TestWorkspace()
        let path = ws.root.appendingPathComponent("ledger.sqlite").path
        let writer = try Ledger(path: path)
        _ = try writer.beginRun(experiment: "x", file: "x.yaml", argv: [])
        let reader = try Ledger(readOnlyPath: path)
        XCTAssertEqual(try reader.runs().count, 1)
        _ = try writer.beginRun(experiment: "x", file: "x.yaml", argv: [])
        XCTAssertEqual(try reader.runs().count, 2, "WAL: the reader sees each new commit")
    }

    func testAReadOnlyLedgerRefusesEveryWrite() throws {
        let ws = try TestWorkspace()
        let path = ws.root.appendingPathComponent("ledger.sqlite").path
        _ = try Ledger(path: path).beginRun(experiment: "x", file: "x.yaml", argv: [])
        let reader = try Ledger(readOnlyPath: path)
        XCTAssertThrowsError(try reader.query("INSERT INTO experiments(name, created_at) VALUES ('y', 0)"))
        XCTAssertThrowsError(try reader.finishRun(1, status: "failed"))
        XCTAssertThrowsError(try reader.register(module: "m", migrations: ["CREATE TABLE t(x)"]))
        XCTAssertEqual(try reader.runs().first?.status, "running")
    }

    func testOpeningAMissingLedgerReadOnlyFailsAndCreatesNothing() throws {
        let ws = try TestWorkspace()
        let path = ws.root.appendingPathComponent("none.sqlite").path
        XCTAssertThrowsError(try Ledger(readOnlyPath: path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }
}
