import Basics
import Foundation
import TestSupport
import XCTest
import ZIPFoundation
@testable import Imaging
@testable import Downloads

/// Downloads against a local HTTP server (TestSupport's RangeServer) on 127.0.0.1; never the network.
final class DatasetDownloaderTests: XCTestCase {
    private var work: URL!
    private var served: URL!
    private var log: URL!
    private var server: RangeServer?
    private let fm = FileManager.default

    override func setUpWithError() throws {
        work = TemporaryFolder.url("download")
        served = work.appendingPathComponent("served")
        log = work.appendingPathComponent("requests.log")
        try fm.createDirectory(at: served, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        server?.stop()
        try? fm.removeItem(at: work)
    }

    /// Starts the server and returns its base URL.
    private func startServer(_ extra: [String] = []) throws -> URL {
        let started = try RangeServer(root: served, log: log, extra: extra)
        server = started
        return started.url("datasets/")
    }

    /// A small zip in the official layout (`tiny2photo/trainA/...`), served as `tiny2photo.zip`;
    /// returns its catalogue entry. Stored uncompressed so byte offsets are predictable.
    @discardableResult
    private func makeArchive(name: String = "tiny2photo", imagesPerSplit: Int = 3) throws -> DatasetCatalogEntry {
        let url = served.appendingPathComponent("\(name).zip")
        let archive = try Archive(url: url, accessMode: .create)
        for split in CycleGANDataset.splits {
            for k in 0..<imagesPerSplit {
                let png = try PNGCodec.encode(DemoScenes.photo(seed: UInt64(k + 10 * split.count), size: 24))
                try archive.addEntry(with: "\(name)/\(split)/\(k).png", type: .file, uncompressedSize: Int64(png.count),
                                     modificationDate: Date(timeIntervalSince1970: 1_700_000_000)) { position, size in
                    png.subdata(in: Int(position)..<(Int(position) + size))
                }
            }
        }
        let data = try Data(contentsOf: url)
        return DatasetCatalogEntry(name: name, size: Int64(data.count), sha256: SHA256Digest.hex(data))
    }

    private func requests() -> [String] {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func testDownloadsVerifiesAndExtractsIntoTheCycleGANLayout() throws {
        let entry = try makeArchive()
        let downloader = DatasetDownloader(baseURL: try startServer(), catalog: [entry])
        let dest = work.appendingPathComponent("data")
        let installed = try downloader.install("tiny2photo", into: dest)
        XCTAssertEqual(installed.root.path, dest.appendingPathComponent("tiny2photo").path)
        XCTAssertEqual(installed.archiveSHA256, entry.sha256)
        XCTAssertEqual(installed.downloadedBytes, entry.size)
        XCTAssertFalse(installed.alreadyInstalled)
        let dataset = try CycleGANDataset(root: installed.root)
        XCTAssertEqual(dataset.testB.relativePaths, ["0.png", "1.png", "2.png"])
        XCTAssertFalse(fm.fileExists(atPath: dest.appendingPathComponent("tiny2photo.zip").path), "archive removed")
        XCTAssertEqual(requests(), ["/datasets/tiny2photo.zip - 200"])

        let again = try downloader.install("tiny2photo", into: dest)
        XCTAssertTrue(again.alreadyInstalled)
        XCTAssertEqual(requests().count, 1, "an installed dataset is not fetched again")
    }

    func testResumesAPartialDownloadFromAnEarlierRunWithARangeRequest() throws {
        let entry = try makeArchive()
        let dest = work.appendingPathComponent("data")
        try fm.createDirectory(at: dest, withIntermediateDirectories: true)
        let full = try Data(contentsOf: served.appendingPathComponent("tiny2photo.zip"))
        try full.prefix(1000).write(to: dest.appendingPathComponent("tiny2photo.zip.part"))
        let installed = try DatasetDownloader(baseURL: try startServer(), catalog: [entry]).install("tiny2photo", into: dest)
        XCTAssertEqual(installed.resumedFrom, 1000)
        XCTAssertEqual(installed.downloadedBytes, Int64(full.count - 1000))
        XCTAssertEqual(requests(), ["/datasets/tiny2photo.zip bytes=1000- 206"])
    }

    func testADroppedConnectionIsResumedWithinTheSameInstall() throws {
        let entry = try makeArchive()
        let downloader = DatasetDownloader(baseURL: try startServer(["--cut-after", "700"]), catalog: [entry])
        let installed = try downloader.install("tiny2photo", into: work.appendingPathComponent("data"))
        XCTAssertEqual(requests(), ["/datasets/tiny2photo.zip - 200", "/datasets/tiny2photo.zip bytes=700- 206"])
        XCTAssertEqual(try CycleGANDataset(root: installed.root).trainA.count, 3)
    }

    func testAServerThatIgnoresRangesMakesTheDownloadStartOver() throws {
        let entry = try makeArchive()
        let dest = work.appendingPathComponent("data")
        try fm.createDirectory(at: dest, withIntermediateDirectories: true)
        try Data(repeating: 7, count: 500).write(to: dest.appendingPathComponent("tiny2photo.zip.part"))
        let installed = try DatasetDownloader(baseURL: try startServer(["--ignore-range"]), catalog: [entry])
            .install("tiny2photo", into: dest)
        XCTAssertEqual(installed.archiveSHA256, entry.sha256)
        XCTAssertEqual(requests(), ["/datasets/tiny2photo.zip bytes=500- 200"])
    }

    func testAChecksumMismatchFailsAndDiscardsTheDownload() throws {
        var entry = try makeArchive()
        entry = DatasetCatalogEntry(name: entry.name, size: entry.size, sha256: String(repeating: "0", count: 64))
        let dest = work.appendingPathComponent("data")
        XCTAssertThrowsError(try DatasetDownloader(baseURL: try startServer(), catalog: [entry]).install("tiny2photo", into: dest)) {
            guard case let .verificationFailed(path, message) = $0 as? DownloadError else { return XCTFail("\($0)") }
            XCTAssertTrue(path.hasSuffix("tiny2photo.zip.part"))
            XCTAssertTrue(message.contains("SHA-256"), message)
        }
        XCTAssertFalse(fm.fileExists(atPath: dest.appendingPathComponent("tiny2photo.zip.part").path))
        XCTAssertFalse(fm.fileExists(atPath: dest.appendingPathComponent("tiny2photo").path))
    }

    func testASizeDifferentFromTheCatalogueFails() throws {
        let entry = try makeArchive()
        let wrong = DatasetCatalogEntry(name: entry.name, size: entry.size! + 10, sha256: nil)
        XCTAssertThrowsError(try DatasetDownloader(baseURL: try startServer(), catalog: [wrong])
            .install("tiny2photo", into: work.appendingPathComponent("data"))) {
            guard case .verificationFailed = $0 as? DownloadError else { return XCTFail("\($0)") }
        }
    }

    func testWithoutPublishedChecksumsTheZipCRCsStillCatchCorruption() throws {
        try makeArchive()
        let url = served.appendingPathComponent("tiny2photo.zip")
        var data = try Data(contentsOf: url)
        // Flip a byte inside the first stored file's data (after its 30-byte header and name).
        data[30 + "tiny2photo/trainA/0.png".utf8.count + 40] ^= 0xFF
        try data.write(to: url)
        let unpublished = DatasetCatalogEntry(name: "tiny2photo", size: nil, sha256: nil)
        XCTAssertThrowsError(try DatasetDownloader(baseURL: try startServer(), catalog: [unpublished])
            .install("tiny2photo", into: work.appendingPathComponent("data"))) {
            guard case let .extractionFailed(_, message) = $0 as? DatasetError else { return XCTFail("\($0)") }
            XCTAssertTrue(message.contains("CRC"), message)
        }
    }

    func testOfflineFailsWithAClearMessage() throws {
        let entry = try makeArchive()
        // Port 9 (discard) on loopback: nothing listens there on a test machine.
        let closed = URL(string: "http://127.0.0.1:9/datasets/")!
        XCTAssertThrowsError(try DatasetDownloader(baseURL: closed, catalog: [entry], attempts: 2, timeout: 5)
            .install("tiny2photo", into: work.appendingPathComponent("data"))) {
            guard case let .downloadFailed(url, message) = $0 as? DownloadError else { return XCTFail("\($0)") }
            XCTAssertEqual(url, "http://127.0.0.1:9/datasets/tiny2photo.zip")
            XCTAssertTrue(message.contains("offline"), message)
            XCTAssertTrue(message.contains("tiny2photo.zip"), message)
        }
    }

    func testAnArchivePlacedByHandIsVerifiedAndUsedWithoutNetwork() throws {
        let entry = try makeArchive()
        let dest = work.appendingPathComponent("data")
        try fm.createDirectory(at: dest, withIntermediateDirectories: true)
        try fm.copyItem(at: served.appendingPathComponent("tiny2photo.zip"), to: dest.appendingPathComponent("tiny2photo.zip"))
        let offline = DatasetDownloader(baseURL: URL(string: "http://127.0.0.1:9/")!, catalog: [entry])
        let installed = try offline.install("tiny2photo", into: dest)
        XCTAssertEqual(installed.downloadedBytes, 0)
        XCTAssertEqual(try CycleGANDataset(root: installed.root).testA.count, 3)
    }

    func testAnUnrelatedFolderInTheWayIsNeverOverwritten() throws {
        let entry = try makeArchive()
        let dest = work.appendingPathComponent("data")
        let inTheWay = dest.appendingPathComponent("tiny2photo/notes.txt")
        try fm.createDirectory(at: inTheWay.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: inTheWay)
        XCTAssertThrowsError(try DatasetDownloader(baseURL: try startServer(), catalog: [entry]).install("tiny2photo", into: dest)) {
            guard case .io = $0 as? DownloadError else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(try String(contentsOf: inTheWay, encoding: .utf8), "mine")
        XCTAssertEqual(requests(), [], "nothing downloaded when the install could not complete")
    }

    func testUnknownNamesListTheKnownOnes() {
        XCTAssertThrowsError(try DatasetDownloader().install("horse2zebra", into: work)) {
            guard case let .unknownDataset(name, known) = $0 as? DownloadError else { return XCTFail("\($0)") }
            XCTAssertEqual(name, "horse2zebra")
            XCTAssertEqual(known, ["monet2photo", "cezanne2photo", "ukiyoe2photo", "vangogh2photo"])
        }
    }

    func testOfficialCatalogueEntriesCarrySizesAndChecksums() {
        XCTAssertEqual(DatasetCatalog.officialBaseURL.absoluteString, "https://efrosgans.eecs.berkeley.edu/cyclegan/datasets/")
        for entry in DatasetCatalog.cycleGAN {
            XCTAssertGreaterThan(entry.size ?? 0, 100_000_000, entry.name)
            XCTAssertEqual(entry.sha256?.count, 64, entry.name)
        }
    }

    func testUnsafeArchivePathsAreRefused() throws {
        let url = served.appendingPathComponent("evil.zip")
        let archive = try Archive(url: url, accessMode: .create)
        let payload = Data("x".utf8)
        try archive.addEntry(with: "../escape.txt", type: .file, uncompressedSize: Int64(1)) { (_: Int64, _: Int) in payload }
        XCTAssertThrowsError(try ArchiveExtractor.extract(url, to: work.appendingPathComponent("out"))) {
            guard case let .extractionFailed(_, message) = $0 as? DatasetError else { return XCTFail("\($0)") }
            XCTAssertTrue(message.contains("unsafe"), message)
        }
        XCTAssertFalse(fm.fileExists(atPath: work.appendingPathComponent("escape.txt").path))
    }

    func testContentRangeParsing() {
        XCTAssertEqual(HTTPRangeFetch.parseContentRange("bytes 100-199/200")?.start, 100)
        XCTAssertEqual(HTTPRangeFetch.parseContentRange("bytes 100-199/200")?.total, 200)
        XCTAssertNil(HTTPRangeFetch.parseContentRange("bytes 100-199/*")?.total)
        XCTAssertNil(HTTPRangeFetch.parseContentRange("items 1-2/3"))
    }
}
