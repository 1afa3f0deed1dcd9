import Foundation
import Pipeline
import TestSupport
import UI
import XCTest

/// The view refuses requests without the token, paths out of the store, and any write.
final class LiveViewSecurityTests: XCTestCase {
    var live: LiveWorkspace!

    override func setUpWithError() throws {
        live = try LiveWorkspace()
        try live.write("live.yaml", liveSpec)
        try live.run()
        try live.serve()
    }

    override func tearDown() { live = nil }

    func testEveryRouteWithoutTheTokenIs401AndWithAWrongOneIs403() throws {
        for path in ["/", "/app.js", "/app.css", "/api/experiments", "/api/run?run=1", "/files/x/y", "/nope"] {
            let bare = try HTTPClient.request(port: live.port, target: path)
            XCTAssertEqual(bare.status, 401, path)
            XCTAssertFalse(bare.text.contains("live"), "nothing of the workspace leaks: \(path)")
            let wrong = try HTTPClient.request(port: live.port, target: path + (path.contains("?") ? "&" : "?") + "token=" + String(repeating: "0", count: 32))
            XCTAssertEqual(wrong.status, 403, path)
        }
        XCTAssertEqual(try live.get("/").status, 200)
    }

    func testPathsOutOfTheStoreAreRefused() throws {
        let fingerprint = try XCTUnwrap(try live.json(RunGraph.self, "/api/run?run=1").nodes.first { $0.id == "paint" }?.fingerprint)
        XCTAssertEqual(try live.get("/files/\(fingerprint)/out/img_00.png").status, 200)
        let attempts = [
            "/files/../ledger.sqlite", "/files/%2e%2e/ledger.sqlite", "/files/%2E%2E/%2E%2E/live.yaml",
            "/files/\(fingerprint)/out/..%2f..%2f..%2fledger.sqlite", "/files/%2Fetc%2Fpasswd", "/files//etc/passwd",
            "/files/\(fingerprint)/%2e/out/img_00.png", "/files/..%5c..%5cledger.sqlite", "/files/%252e%252e/ledger.sqlite",
            "/thumbs/../ledger.sqlite", "/thumbs/%2e%2e/ledger.sqlite", "/thumbs/%2Fetc%2Fpasswd",
        ]
        for target in attempts {
            let reply = try live.get(target)
            XCTAssertTrue([403, 404].contains(reply.status), "\(target): \(reply.status)")
            XCTAssertFalse(reply.text.contains("SQLite format"), target)
            XCTAssertFalse(reply.text.contains("root:"), target)
        }
    }

    func testASymlinkInTheCachePointingOutIsRefused() throws {
        let cache = live.workspace.cache
        try FileManager.default.createSymbolicLink(atPath: cache.appendingPathComponent("escape").path,
                                                   withDestinationPath: live.workspace.artifacts.path)
        try FileManager.default.createSymbolicLink(atPath: cache.appendingPathComponent("passwd").path, withDestinationPath: "/etc/passwd")
        XCTAssertEqual(try live.get("/files/escape/ledger.sqlite").status, 403)
        XCTAssertEqual(try live.get("/files/passwd").status, 403)
        XCTAssertEqual(try live.get("/thumbs/passwd").status, 403)
    }

    func testWritesAreNotAcceptedAndTheLedgerAndStoreAreUnchanged() throws {
        let before = try snapshot()
        for method in ["POST", "PUT", "DELETE", "PATCH"] {
            let reply = try HTTPClient.request(port: live.port, target: "/api/experiments?token=\(live.token.value)", method: method)
            XCTAssertEqual(reply.status, 405, method)
        }
        for path in ["/", "/api/experiments", "/api/run?run=1", "/api/stage?run=1&stage=score@ours", "/api/metrics?run=1",
                     "/api/images?run=1", "/api/results?run=1"] {
            XCTAssertEqual(try live.get(path).status, 200, path)
        }
        XCTAssertEqual(try snapshot(), before, "the ledger's file and every stored file are as they were")
    }

    func testTheReadOnlyLedgerRefusesToWriteAndDoesNotCreateAFile() throws {
        let ledger = try Ledger(readOnlyPath: live.workspace.ledgerPath)
        XCTAssertThrowsError(try ledger.query("INSERT INTO experiments(name, created_at) VALUES ('x', 0)"))
        XCTAssertEqual(try ledger.experimentNames(), ["live"])
        let missing = live.root.appendingPathComponent("none.sqlite").path
        XCTAssertThrowsError(try Ledger(readOnlyPath: missing))
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing))
    }

    func testResponsesForbidFramingSniffingAndReferrers() throws {
        let reply = try live.get("/")
        XCTAssertTrue(reply.head.contains("Content-Security-Policy: default-src 'none'; script-src 'self'"), reply.head)
        XCTAssertTrue(reply.head.contains("Referrer-Policy: no-referrer"))
        XCTAssertTrue(reply.head.contains("X-Frame-Options: DENY"))
        XCTAssertTrue(reply.text.contains("/app.js?token=\(live.token.value)"))
        XCTAssertFalse(reply.text.contains("http://") || reply.text.contains("https://"), "nothing is fetched from elsewhere")
        XCTAssertFalse(try live.get("/app.js").text.contains("https://"), "the script names no outside URL")
    }

    /// The ledger file's bytes and every file under artifacts/ but the ledger's WAL companions.
    func snapshot() throws -> [String: Data] {
        var files: [String: Data] = [:]
        let artifacts = live.workspace.artifacts
        for case let path as String in FileManager.default.enumerator(atPath: artifacts.path)! {
            guard !path.hasSuffix("-wal"), !path.hasSuffix("-shm"), !path.hasSuffix(".open-lock") else { continue }
            let url = artifacts.appendingPathComponent(path)
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder)
            files[path] = isFolder.boolValue ? Data() : try Data(contentsOf: url)
        }
        return files
    }
}
