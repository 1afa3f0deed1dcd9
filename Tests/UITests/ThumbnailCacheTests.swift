import Foundation
import UI
import TestSupport
import XCTest

final class ThumbnailCacheTests: XCTestCase {
    final class Calls: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func hit() { lock.lock(); n += 1; lock.unlock() }
        var count: Int { lock.lock(); defer { lock.unlock() }; return n }
    }

    func testAThumbnailIsMadeOnceUntilItsFileChanges() throws {
        let file = TemporaryFolder.url("thumb", extension: "png")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("one".utf8).write(to: file)
        let calls = Calls()
        let cache = ThumbnailCache { path, _ in calls.hit(); return try? Data(contentsOf: URL(fileURLWithPath: path)) }
        XCTAssertEqual(cache.thumbnail(of: file.path), Data("one".utf8))
        XCTAssertEqual(cache.thumbnail(of: file.path), Data("one".utf8))
        XCTAssertEqual(calls.count, 1)
        try Data("three".utf8).write(to: file)
        XCTAssertEqual(cache.thumbnail(of: file.path), Data("three".utf8), "a changed file is not shown stale")
        XCTAssertEqual(calls.count, 2)
    }

    func testTheOldestThumbnailsGoPastTheCapacity() throws {
        let folder = TemporaryFolder.url("thumbs")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // An entry costs its PNG (300 bytes) and its key (the path, stamp and size: 34 to 200 bytes here), so two fit and three do not.
        let cache = ThumbnailCache(capacityBytes: 1000) { _, _ in Data(repeating: 1, count: 300) }
        for i in 0..<5 {
            let file = folder.appendingPathComponent("\(i).png")
            try Data("x".utf8).write(to: file)
            _ = cache.thumbnail(of: file.path)
        }
        XCTAssertEqual(cache.count, 2)
        XCTAssertNil(cache.thumbnail(of: folder.appendingPathComponent("missing.png").path))
    }
}
