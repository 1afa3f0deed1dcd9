import Foundation
import Pipeline
import TestSupport
import XCTest

/// What a stage's log keeps beside itself for `pleinair ui` while the stage runs.
final class StageLogTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = TemporaryFolder.url("pleinair-stagelog")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    func testProgressKeepsTheLatestLineAtMostTwiceASecondAndAlwaysTheEnd() throws {
        let url = folder.appendingPathComponent("a.log")
        let log = StageLog(url: url)
        log.progress(0.25, "iteration 1/4")
        log.progress(0.5, "iteration 2/4")  // within 0.5 s of the last write: not written
        let file = StageLog.progressURL(forLog: url)
        XCTAssertTrue(try String(contentsOf: file, encoding: .utf8).hasPrefix("0.25\titeration 1/4\t"))
        log.progress(1, "done")
        XCTAssertTrue(try String(contentsOf: file, encoding: .utf8).hasPrefix("1.0\tdone\t"))
    }

    func testSeriesPointsAreAppendedOneLineEach() throws {
        let url = folder.appendingPathComponent("b.log")
        let log = StageLog(url: url)
        log.series("loss.G_A", step: 10, value: 0.5)
        log.series("loss.G_A", step: 20, value: 0.25)
        XCTAssertEqual(try String(contentsOf: StageLog.seriesURL(forLog: url), encoding: .utf8), "loss.G_A\t10\t0.5\nloss.G_A\t20\t0.25\n")
    }

    func testAFreshLogDropsTheLastAttemptsFilesAndAnAppendingOneKeepsThem() throws {
        let url = folder.appendingPathComponent("c.log")
        do {
            let log = StageLog(url: url)
            log.series("loss", step: 1, value: 1)
            log.progress(0.5, "half")
        }
        _ = StageLog(url: url, append: true)
        XCTAssertTrue(FileManager.default.fileExists(atPath: StageLog.seriesURL(forLog: url).path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: StageLog.progressURL(forLog: url).path))
        _ = StageLog(url: url)
        XCTAssertFalse(FileManager.default.fileExists(atPath: StageLog.seriesURL(forLog: url).path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: StageLog.progressURL(forLog: url).path))
    }
}
