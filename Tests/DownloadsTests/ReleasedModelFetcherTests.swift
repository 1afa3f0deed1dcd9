import Basics
import Foundation
import Pipeline
import TestSupport
import XCTest
import ZIPFoundation
@testable import Downloads
@testable import Imaging

/// Released generators by name: resumable downloads from a mirror (the local range server, never
/// the network), SHA-256 recorded in the ledger at first download and required after, and the
/// offline and by-hand messages saying where files go.
final class ReleasedModelFetcherTests: XCTestCase {
    private var work: URL!
    private var served: URL!
    private var server: RangeServer?
    private let fm = FileManager.default
    private let payload = Data((0..<40_000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) })

    override func setUpWithError() throws {
        work = TemporaryFolder.url("released")
        served = work.appendingPathComponent("served")
        try fm.createDirectory(at: served, withIntermediateDirectories: true)
        try payload.write(to: served.appendingPathComponent("monet2photo.pth"))
    }

    override func tearDownWithError() throws {
        server?.stop()
        try? fm.removeItem(at: work)
    }

    private func startServer(_ extra: [String] = []) throws -> URL {
        let started = try RangeServer(root: served, log: work.appendingPathComponent("log"), extra: extra)
        server = started
        return started.url("")
    }

    private func trust() throws -> TrustedHashes {
        try fm.createDirectory(at: work.appendingPathComponent("ws"), withIntermediateDirectories: true)
        return try TrustedHashes(ledger: try Ledger(path: work.appendingPathComponent("ws/ledger.sqlite").path))
    }

    private var zoo: ReleasedModel { ReleasedModelCatalog.find(source: .zoo, name: "monet2photo")! }
    private var art2real: ReleasedModel { ReleasedModelCatalog.find(source: .art2real, name: "landscape2photo")! }

    func testTheZooFileComesFromThePublishersAddressByDefault() {
        XCTAssertEqual(zoo.files.map(\.name), ["latest_net_G.pth"])
        XCTAssertEqual(zoo.files.first?.url?.absoluteString, "http://efrosgans.eecs.berkeley.edu/cyclegan/pretrained_models/monet2photo.pth")
    }

    func testFirstDownloadRecordsTheHashAndLaterUsesCheckIt() throws {
        let fetcher = ReleasedModelFetcher(root: work.appendingPathComponent("cache"), baseURL: try startServer())
        let trust = try trust()
        let first = try fetcher.fetch(zoo, trust: trust)
        XCTAssertEqual(first.map(\.verdict), [.trustedOnFirstUse])
        XCTAssertEqual(first.first?.downloadedBytes, Int64(payload.count))
        XCTAssertEqual(try trust.recorded(id: "cyclegan_zoo/monet2photo", file: "latest_net_G.pth"), SHA256Digest.hex(payload))
        let again = try fetcher.fetch(zoo, trust: trust)
        XCTAssertEqual(again.map(\.verdict), [.matchesRecord])
        XCTAssertEqual(again.first?.downloadedBytes, 0)
    }

    func testAFileThatChangedAfterItsFirstDownloadIsRefusedNamingBothHashes() throws {
        let fetcher = ReleasedModelFetcher(root: work.appendingPathComponent("cache"), baseURL: try startServer())
        let trust = try trust()
        let file = try fetcher.fetch(zoo, trust: trust)[0].path
        try Data("tampered".utf8).write(to: file)
        XCTAssertThrowsError(try fetcher.fetch(zoo, trust: trust)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(SHA256Digest.hex(payload)) && text.contains(SHA256Digest.hex(Data("tampered".utf8)))
                          && text.contains(file.path), text)
        }
    }

    func testAnInterruptedDownloadResumes() throws {
        let fetcher = ReleasedModelFetcher(root: work.appendingPathComponent("cache"), baseURL: try startServer(["--cut-after", "15000"]))
        let fetched = try fetcher.fetch(zoo, trust: try trust())
        XCTAssertEqual(try Data(contentsOf: fetched[0].path), payload)
        let log = try String(contentsOf: work.appendingPathComponent("log"), encoding: .utf8)
        XCTAssertTrue(log.contains("bytes=15000- 206"), log)
    }

    func testOfflineTheMessageSaysWhereToPutTheFile() throws {
        let fetcher = ReleasedModelFetcher(root: work.appendingPathComponent("cache"), baseURL: URL(string: "http://127.0.0.1:9/")!, attempts: 1)
        XCTAssertThrowsError(try fetcher.fetch(zoo, trust: try trust())) { error in
            XCTAssertTrue("\(error)".contains(self.work.appendingPathComponent("cache/cyclegan_zoo/monet2photo/latest_net_G.pth").path), "\(error)")
        }
    }

    func testArt2RealCheckpointsComeOutOfTheirArchiveWithBothHashesRecorded() throws {
        XCTAssertEqual(art2real.archive?.absoluteString,
                       "https://ailb-web.ing.unimore.it/publicfiles/drive/CVPR%202019%20-%20Art2Real/checkpoints/landscape2photo.zip")
        // The release's zip holds the model folder; the generators come out of it by name.
        let zip = served.appendingPathComponent("landscape2photo.zip")
        let archive = try XCTUnwrap(Archive(url: zip, accessMode: .create))
        for (name, bytes) in [("landscape2photo/latest_net_G_A.pth", payload), ("landscape2photo/latest_net_G_B.pth", Data(payload.reversed())),
                              ("landscape2photo/latest_net_D_A.pth", Data([1, 2, 3]))] {
            let data = Data(bytes)
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<(Int(position) + size))
            }
        }
        let fetcher = ReleasedModelFetcher(root: work.appendingPathComponent("cache"), baseURL: try startServer())
        let trust = try trust()
        let fetched = try fetcher.fetch(art2real, trust: trust)
        XCTAssertEqual(fetched.map(\.verdict), [.trustedOnFirstUse, .trustedOnFirstUse])
        XCTAssertEqual(try Data(contentsOf: fetched[0].path), payload)
        XCTAssertEqual(try Data(contentsOf: fetched[1].path), Data(payload.reversed()))
        XCTAssertEqual(try trust.recorded(id: "art2real/landscape2photo", file: "landscape2photo.zip"), try FileHash.sha256(of: zip))
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: fetcher.folder(for: art2real).path).sorted(),
                       ["latest_net_G_A.pth", "latest_net_G_B.pth"], "the archive and its other files are not kept")
        XCTAssertEqual(try fetcher.fetch(art2real, trust: trust).map(\.verdict), [.matchesRecord, .matchesRecord])
    }

    func testOfflineTheArt2RealMessageSaysWhereToPutTheArchiveOrItsFiles() throws {
        let fetcher = ReleasedModelFetcher(root: work.appendingPathComponent("cache"), baseURL: URL(string: "http://127.0.0.1:9/")!, attempts: 1)
        XCTAssertThrowsError(try fetcher.fetch(art2real, trust: try trust())) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("landscape2photo.zip") && text.contains("latest_net_G_A.pth and latest_net_G_B.pth")
                          && text.contains(self.work.appendingPathComponent("cache/art2real/landscape2photo").path), text)
        }
        // Files placed by hand are used without the archive.
        let folder = fetcher.folder(for: art2real)
        for name in ["latest_net_G_A.pth", "latest_net_G_B.pth"] { try payload.write(to: folder.appendingPathComponent(name)) }
        XCTAssertEqual(try fetcher.fetch(art2real, trust: try trust()).map(\.verdict), [.trustedOnFirstUse, .trustedOnFirstUse])
    }
}
