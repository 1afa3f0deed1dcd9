import Foundation
@testable import Pipeline
import XCTest

final class LedgerTests: XCTestCase {
    func testMigrationsApplyOnceToAFileAndReopeningKeepsTheSchema() throws {
        let ws = try TestWorkspace()
        let path = ws.root.appendingPathComponent("ledger.sqlite").path
        let ledger = try Ledger(path: path)
        XCTAssertEqual(try ledger.schemaVersion(), Ledger.migrations.count)
        _ = try ledger.beginRun(experiment: "x", file: "x.yaml", argv: [])
        let reopened = try Ledger(path: path)
        XCTAssertEqual(try reopened.schemaVersion(), Ledger.migrations.count)
        XCTAssertEqual(try reopened.runs().count, 1)
        XCTAssertEqual(try reopened.db.query("PRAGMA journal_mode")[0][0].text, "wal")
    }

    /// The queries every page of the live view and `status` make, for one run's executions and one
    /// execution's lineage, go through an index: a scan would grow with the whole history.
    func testOneRunsExecutionsAndOneExecutionsLineageAreFoundThroughAnIndex() throws {
        let ws = try TestWorkspace()
        let ledger = try Ledger(path: ws.root.appendingPathComponent("l.sqlite").path)
        func plan(_ sql: String) throws -> String {
            try ledger.db.query("EXPLAIN QUERY PLAN " + sql).map { $0.last?.text ?? "" }.joined(separator: "; ")
        }
        XCTAssertTrue(try plan("SELECT * FROM executions e WHERE e.run_id = 3 ORDER BY e.id").contains("USING INDEX executions_run"))
        XCTAssertTrue(try plan("SELECT role, name, hash FROM lineage WHERE execution_id = 3").contains("USING INDEX lineage_execution"))
    }

    /// Every lookup of executions by fingerprint asks for a succeeded one and goes through the partial
    /// index; no index over all fingerprints is kept, since each cached row would dirty a page of it.
    func testLookupsByFingerprintUseThePartialIndexAndNoFullIndexIsKept() throws {
        let ws = try TestWorkspace()
        let ledger = try Ledger(path: ws.root.appendingPathComponent("l.sqlite").path)
        func plan(_ sql: String) throws -> String {
            try ledger.db.query("EXPLAIN QUERY PLAN " + sql).map { $0.last?.text ?? "" }.joined(separator: "; ")
        }
        let indexes = try ledger.db.query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'executions'").compactMap { $0[0].text }
        XCTAssertFalse(indexes.contains("executions_fingerprint"), "\(indexes)")
        XCTAssertTrue(try plan("SELECT 1 FROM executions WHERE fingerprint = 'f' AND status = 'succeeded' LIMIT 1")
            .contains("USING INDEX executions_succeeded"))
        XCTAssertTrue(try plan("SELECT * FROM executions e WHERE e.fingerprint = 'f' AND e.status = 'succeeded' ORDER BY e.id DESC LIMIT 1")
            .contains("USING INDEX executions_succeeded"))
    }

    /// A plan reads on one snapshot: a write inside it is refused and changes nothing, and the
    /// connection writes again afterwards.
    func testReadingRefusesWritesAndLeavesTheConnectionWritable() throws {
        let ws = try TestWorkspace()
        let ledger = try Ledger(path: ws.root.appendingPathComponent("l.sqlite").path)
        XCTAssertThrowsError(try ledger.reading {
            XCTAssertEqual(try ledger.runs().count, 0)
            try ledger.query("INSERT INTO experiments(name, created_at) VALUES ('a', 0)")
        }) { XCTAssertTrue("\($0)".contains("l.sqlite") && "\($0)".contains("readonly"), "\($0)") }
        XCTAssertEqual(try ledger.query("SELECT COUNT(*) FROM experiments")[0][0].int, 0)
        XCTAssertEqual(try ledger.reading { try ledger.runs().count }, 0)
        _ = try ledger.beginRun(experiment: "x", file: "x.yaml", argv: [])
        XCTAssertEqual(try ledger.runs().count, 1)
    }

    func testManyConnectionsOpeningANewLedgerAtOnceAllSucceed() throws {
        let ws = try TestWorkspace()
        let path = ws.root.appendingPathComponent("fresh.sqlite").path
        let failures = RunCounter()
        DispatchQueue.concurrentPerform(iterations: 6) { i in
            do { _ = try Ledger(path: path) } catch { failures.hit("\(i): \(error)") }
        }
        XCTAssertEqual(failures.total, 0)
        XCTAssertEqual(try Ledger(path: path).db.query("SELECT COUNT(*) FROM schema_migrations")[0][0].int, Int64(Ledger.migrations.count))
    }

    func testAFailedTransactionRecordsNothing() throws {
        let ws = try TestWorkspace()
        let ledger = try Ledger(path: ws.root.appendingPathComponent("l.sqlite").path)
        XCTAssertThrowsError(try ledger.db.transaction {
            try ledger.db.query("INSERT INTO experiments(name, created_at) VALUES ('a', 0)")
            try ledger.db.query("INSERT INTO nonexistent VALUES (1)")
        })
        XCTAssertEqual(try ledger.experimentNames(), [])
    }

    func testFingerprintKeyRoundTripsThroughTheLedgerJSON() throws {
        let key = FingerprintKey(kind: "toy", kindVersion: 3, params: ["a": .double(1.0), "b": .int(1), "c": .list([.string("x"), .null])],
                                 inputs: ["in": "abc"], upstream: ["u": "def:out"])
        XCTAssertEqual(FingerprintKey.fromJSON(key.json), key)
        XCTAssertEqual(FingerprintKey.fromJSON(key.json)?.fingerprint, key.fingerprint)
    }

    func testFingerprintDoesNotDependOnKeyOrderButOnEveryField() {
        let a = FingerprintKey(kind: "k", kindVersion: 1, params: ["x": .int(1), "y": .int(2)], inputs: [:], upstream: [:])
        let b = FingerprintKey(kind: "k", kindVersion: 1, params: ["y": .int(2), "x": .int(1)], inputs: [:], upstream: [:])
        XCTAssertEqual(a.fingerprint, b.fingerprint)
        var c = a
        c.params["x"] = .double(1)
        XCTAssertNotEqual(a.fingerprint, c.fingerprint, "1 and 1.0 are different parameter values")
        var d = a
        d.kindVersion = 2
        XCTAssertNotEqual(a.fingerprint, d.fingerprint)
        var e = a
        e.schema = 99
        XCTAssertNotEqual(a.fingerprint, e.fingerprint)
    }
}

final class ContentHasherTests: XCTestCase {
    func testUnchangedFilesAreNotReadAgainAcrossHashers() throws {
        let ws = try TestWorkspace()
        for i in 0..<5 { _ = try ws.write("d/f\(i).txt", "file \(i)") }
        let ledger = try Ledger(path: ws.root.appendingPathComponent("l.sqlite").path)
        let first = try ContentHasher(cache: ledger)
        let hash = try first.hash(path: ws.root.appendingPathComponent("d").path)
        XCTAssertEqual(first.filesRead, 5)
        try first.flush()
        let second = try ContentHasher(cache: ledger)
        XCTAssertEqual(try second.hash(path: ws.root.appendingPathComponent("d").path), hash)
        XCTAssertEqual(second.filesRead, 0)
        _ = try ws.write("d/f3.txt", "changed")
        XCTAssertNotEqual(try second.hash(path: ws.root.appendingPathComponent("d").path), hash)
        XCTAssertEqual(second.filesRead, 1)
    }

    func testFolderHashDependsOnNamesAndContentsNotOnTimes() throws {
        let ws = try TestWorkspace()
        _ = try ws.write("a/x.txt", "1")
        _ = try ws.write("a/sub/y.txt", "2")
        _ = try ws.write("b/x.txt", "1")
        _ = try ws.write("b/sub/y.txt", "2")
        _ = try ws.write("c/x.txt", "1")
        _ = try ws.write("c/sub/z.txt", "2")
        let hasher = try ContentHasher(cache: nil)
        let a = try hasher.hash(path: ws.root.appendingPathComponent("a").path)
        XCTAssertEqual(a, try hasher.hash(path: ws.root.appendingPathComponent("b").path))
        XCTAssertNotEqual(a, try hasher.hash(path: ws.root.appendingPathComponent("c").path))
        let manifest = try hasher.manifest(folder: ws.root.appendingPathComponent("a").path)
        XCTAssertEqual(manifest.entries.map(\.path), ["sub/y.txt", "x.txt"])
        XCTAssertEqual(TreeManifest.parse(manifest.text), manifest)
    }

    func testFileHashIsTheSHA256OfItsBytes() throws {
        let ws = try TestWorkspace()
        let url = try ws.write("abc.txt", "abc")
        XCTAssertEqual(try ContentHasher.sha256(file: url.path), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testAMissingInputIsAnErrorNamingThePath() throws {
        let hasher = try ContentHasher(cache: nil)
        XCTAssertThrowsError(try hasher.hash(path: "/nonexistent/file.png")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/file.png"))
        }
    }
}
