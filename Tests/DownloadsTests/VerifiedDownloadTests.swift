import Basics
import Foundation
import TestSupport
import XCTest
@testable import Imaging
@testable import Downloads

/// Single-file downloads with checksum prefixes against the local range server (never the network).
final class VerifiedDownloadTests: XCTestCase {
    private var work: URL!
    private var served: URL!
    private var server: RangeServer?
    private let fm = FileManager.default
    private let payload = Data((0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })

    override func setUpWithError() throws {
        work = TemporaryFolder.url("verified")
        served = work.appendingPathComponent("served")
        try fm.createDirectory(at: served, withIntermediateDirectories: true)
        try payload.write(to: served.appendingPathComponent("weights.pth"))
    }

    override func tearDownWithError() throws {
        server?.stop()
        try? fm.removeItem(at: work)
    }

    private func startServer(_ extra: [String] = []) throws -> URL {
        let started = try RangeServer(root: served, log: work.appendingPathComponent("log"), extra: extra)
        server = started
        return started.url("weights.pth")
    }

    private var destination: URL { work.appendingPathComponent("cache/weights/weights.pth") }
    private var prefix: String { String(SHA256Digest.hex(payload).prefix(8)) }

    func testDownloadsAndAcceptsAFileWhoseChecksumHasThePrefix() throws {
        let result = try VerifiedDownload(url: try startServer(), destination: destination, sha256Prefix: prefix).run()
        XCTAssertEqual(try Data(contentsOf: destination), payload)
        XCTAssertEqual(result.downloadedBytes, Int64(payload.count))
        XCTAssertFalse(result.alreadyPresent)
        XCTAssertFalse(fm.fileExists(atPath: destination.path + ".part"))
    }

    func testResumesAnInterruptedTransfer() throws {
        let url = try startServer(["--cut-after", "20000"])
        let result = try VerifiedDownload(url: url, destination: destination, sha256Prefix: prefix).run()
        XCTAssertEqual(try Data(contentsOf: destination), payload)
        XCTAssertEqual(result.downloadedBytes, Int64(payload.count))
        let log = try String(contentsOf: work.appendingPathComponent("log"), encoding: .utf8)
        XCTAssertTrue(log.contains("bytes=20000- 206"), log)
    }

    func testRejectsAndDeletesADownloadWithTheWrongChecksum() throws {
        let job = VerifiedDownload(url: try startServer(), destination: destination, sha256Prefix: "00000000")
        XCTAssertThrowsError(try job.run()) { error in
            guard case DownloadError.verificationFailed = error else { return XCTFail("\(error)") }
        }
        XCTAssertFalse(fm.fileExists(atPath: destination.path))
        XCTAssertFalse(fm.fileExists(atPath: destination.path + ".part"))
    }

    func testAVerifiedFileAlreadyInPlaceIsNotFetchedAgain() throws {
        try fm.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        try payload.write(to: destination)
        let unreachable = URL(string: "http://127.0.0.1:9/weights.pth")!
        let result = try VerifiedDownload(url: unreachable, destination: destination, sha256Prefix: prefix).run()
        XCTAssertTrue(result.alreadyPresent)
    }

    func testAnUnreachableServerSaysWhereToPutTheFile() throws {
        let unreachable = URL(string: "http://127.0.0.1:9/weights.pth")!
        XCTAssertThrowsError(try VerifiedDownload(url: unreachable, destination: destination, sha256Prefix: prefix, attempts: 1).run()) { error in
            XCTAssertTrue("\(error)".contains(self.destination.path), "\(error)")
        }
    }
}
