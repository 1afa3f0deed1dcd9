@testable import Pipeline
import XCTest

/// A stage's notices (where it resumed) reach the terminal, from this process or a stage process.
final class StageLogNoticeTests: XCTestCase {
    final class Seen: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func add(_ item: String) { lock.lock(); items.append(item); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
    }

    func testANoticeIsWrittenToTheLogAndShownToWhoeverWatches() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("notice-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: url) }
        let seen = Seen()
        let log = StageLog(url: url, notice: { seen.add($0) })
        log.notice("resumed from the checkpoint at iteration 4 of 10")
        XCTAssertEqual(seen.all, ["resumed from the checkpoint at iteration 4 of 10"])
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "resumed from the checkpoint at iteration 4 of 10\n")
    }

    func testAStageProcessesNoticeIsForwardedBesideItsProgress() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("notice-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: url) }
        let notices = Seen(), progress = Seen()
        let log = StageLog(url: url, progress: { fraction, message in progress.add("\(fraction) \(message)") }, notice: { notices.add($0) })
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let lines = "0.25\tquarter\nnote\tresuming: 3 of 8 shards were cut by an earlier attempt\n1.0\tdone\n"
        _ = lines.withCString { write(fds[1], $0, strlen($0)) }
        close(fds[1])
        ProcessBackend.forwardProgress(from: fds[0], to: log)
        XCTAssertEqual(notices.all, ["resuming: 3 of 8 shards were cut by an earlier attempt"])
        XCTAssertEqual(progress.all, ["0.25 quarter", "1.0 done"])
        // The stage process wrote the notice to the log itself; forwarding does not write it twice.
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "")
    }
}
