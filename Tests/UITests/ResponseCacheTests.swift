import Foundation
@testable import UI
import TestSupport
import XCTest

final class ResponseCacheTests: XCTestCase {
    func answer(_ text: String, status: Int = 200) -> HTTPResponse { .text(status, text) }

    func testAPollWithinMaxAgeAndTheSameLedgerIsAnsweredFromMemory() {
        let cache = ResponseCache(maxAge: 0.5)
        var made = 0
        let make = { () -> HTTPResponse in made += 1; return self.answer("\(made)") }
        XCTAssertEqual(cache.response(for: "run?run=1", stamp: "a", now: 10, make: make).body, Data("1\n".utf8))
        XCTAssertEqual(cache.response(for: "run?run=1", stamp: "a", now: 10.4, make: make).body, Data("1\n".utf8))
        XCTAssertEqual(made, 1)
        XCTAssertEqual(cache.response(for: "run?run=1", stamp: "b", now: 10.45, make: make).body, Data("2\n".utf8), "the ledger changed")
        XCTAssertEqual(cache.response(for: "run?run=1", stamp: "b", now: 11, make: make).body, Data("3\n".utf8), "too old")
        XCTAssertEqual(cache.response(for: "run?run=2", stamp: "b", now: 11, make: make).body, Data("4\n".utf8), "another page")
    }

    func testErrorsAreNotKept() {
        let cache = ResponseCache()
        var made = 0
        _ = cache.response(for: "k", stamp: "s", now: 0) { made += 1; return self.answer("no", status: 404) }
        _ = cache.response(for: "k", stamp: "s", now: 0) { made += 1; return self.answer("no", status: 404) }
        XCTAssertEqual(made, 2)
    }

    /// Many pages or large answers cannot grow it past its bounds: answers too old to be served go first.
    func testItHoldsNoMoreThanItsEntriesAndBytes() {
        let cache = ResponseCache(maxAge: 0.5, capacity: 4, capacityBytes: 1000)
        for i in 0..<10 { _ = cache.response(for: "k\(i)", stamp: "s", now: 10) { self.answer("x") } }
        XCTAssertLessThanOrEqual(cache.count, 4)
        for i in 0..<10 { _ = cache.response(for: "b\(i)", stamp: "s", now: 20) { self.answer(String(repeating: "y", count: 300)) } }
        XCTAssertLessThanOrEqual(cache.heldBytes, 1000)
        XCTAssertLessThanOrEqual(cache.count, 3)
        _ = cache.response(for: "huge", stamp: "s", now: 20) { self.answer(String(repeating: "z", count: 2000)) }
        XCTAssertLessThanOrEqual(cache.heldBytes, 1000, "an answer over the byte bound is served, not kept")
        // A fresh entry survives when only stale ones need to go.
        let cache2 = ResponseCache(maxAge: 0.5, capacity: 2, capacityBytes: 1 << 20)
        _ = cache2.response(for: "old", stamp: "s", now: 0) { self.answer("1") }
        _ = cache2.response(for: "fresh", stamp: "s", now: 5) { self.answer("2") }
        var made = 0
        _ = cache2.response(for: "new", stamp: "s", now: 5.1) { made += 1; return self.answer("3") }
        _ = cache2.response(for: "fresh", stamp: "s", now: 5.2) { made += 1; return self.answer("4") }
        XCTAssertEqual(made, 1, "the fresh answer was kept, the stale one dropped")
        XCTAssertEqual(cache2.count, 2)
    }

    func testTheStampChangesWhenTheLedgerCommits() throws {
        let folder = TemporaryFolder.url("stamp")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger.sqlite").path
        let before = ResponseCache.stamp(ledger: path)
        try Data("x".utf8).write(to: URL(fileURLWithPath: path + "-wal"))
        XCTAssertNotEqual(ResponseCache.stamp(ledger: path), before)
    }
}
