import Foundation
@testable import Pipeline
import TestSupport
import XCTest

/// What the runner reads back from a stage's child process.
final class ProcessBackendTests: XCTestCase {
    func testProgressLinesFromTheChildReachTheStageLogWholeAndInOrder() throws {
        var fds: [Int32] = [-1, -1]
        XCTAssertEqual(pipe(&fds), 0)
        let seen = Seen()
        let log = StageLog(url: TemporaryFolder.url("progress", extension: "log")) {
            seen.add($0, $1)
        }
        defer { try? FileManager.default.removeItem(at: log.url) }
        // Written in pieces that split a line, as a pipe may deliver them.
        for piece in ["0.25\tload", "ing\n0.5\thalf\tway\n", "not a number\n1\t\n"] {
            _ = piece.withCString { write(fds[1], $0, strlen($0)) }
        }
        close(fds[1])
        ProcessBackend.forwardProgress(from: fds[0], to: log)
        XCTAssertEqual(seen.reports.map(\.0), [0.25, 0.5, 1])
        XCTAssertEqual(seen.reports.map(\.1), ["loading", "half\tway", ""])
    }

    /// A stage's child gets its thread count and a short spin for idle OpenBLAS workers, unless the
    /// user chose a spin.
    func testAChildGetsItsThreadsAndAShortOpenBLASSpinUnlessTheUserSetOne() {
        let plain = ProcessBackend.blasVariables(threads: 2, inherited: ["PATH": "/usr/bin"])
        XCTAssertEqual(plain, ["OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "1", "OPENBLAS_THREAD_TIMEOUT": "20"])
        XCTAssertEqual(ProcessBackend.blasVariables(threads: 0, inherited: [:])["OPENBLAS_NUM_THREADS"], "1")
        XCTAssertNil(ProcessBackend.blasVariables(threads: 1, inherited: ["OPENBLAS_THREAD_TIMEOUT": "28"])["OPENBLAS_THREAD_TIMEOUT"])
    }

    func testACrashMessageNamesTheSignalAndQuotesTheLogBeforeTheBacktrace() throws {
        let log = TemporaryFolder.url("crash", extension: "log")
        defer { try? FileManager.default.removeItem(at: log) }
        try "loading bank\nscale p16s6\n\n*** Signal 11: Backtracing from 0x1... done ***\nThread 0 crashed\n".write(to: log, atomically: true, encoding: .utf8)
        let message = ProcessBackend.crashMessage(status: 128 + 11, log: log)
        XCTAssertTrue(message.hasPrefix("the stage's process was killed by signal 11 (SIGSEGV); the log ends:\nloading bank\nscale p16s6"), message)
        XCTAssertTrue(message.hasSuffix("(a backtrace follows in the log)"), message)
        XCTAssertFalse(message.contains("Thread 0"), message)
        XCTAssertEqual(ProcessBackend.crashMessage(status: 3, log: URL(fileURLWithPath: "/nonexistent")),
                       "the stage's process exited with status 3 without a result")
    }
}

private final class Seen: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var reports: [(Double, String)] = []
    func add(_ fraction: Double, _ message: String) { lock.lock(); reports.append((fraction, message)); lock.unlock() }
}
