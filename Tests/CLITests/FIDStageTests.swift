import Foundation
import XCTest

/// The `fid` and `inception_stats` kinds and `pleinair weights`, run as a user would.
final class FIDStageTests: XCTestCase {
    var cli: CLIHarness!
    var weightsDir: URL!

    override func setUpWithError() throws {
        cli = try CLIHarness()
        weightsDir = cli.workspace.appendingPathComponent("weights-cache")
        setenv("PLEINAIR_WEIGHTS", weightsDir.path, 1)  // inherited by the pleinair child processes
    }

    override func tearDown() {
        unsetenv("PLEINAIR_WEIGHTS")
        cli.cleanUp()
    }

    func spec(weights: String) -> String {
        """
        experiment: fid_test
        stages:
          scenes:
            kind: demo_scenes
            params: {train_count: 1, test_count: 3, size: 24, seed: 1, styles: [impressionist]}
          photo_stats:
            kind: inception_stats
            inputs: {images: scenes.data/photos/test}
            params: {weights: \(weights), taps: [64, 192]}
          fid:
            kind: fid
            inputs: {images: scenes.data/impressionist/test, reference: photo_stats.stats}
            params: {weights: \(weights), taps: [64, 192], bootstrap: 3}
        """
    }

    func testRandomWeightsGiveLabelledFIDsAndTheReferenceStatisticsAreCached() throws {
        try cli.write("fid.yaml", spec(weights: "random"))
        let first = try cli.run(["run", "fid.yaml"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let results = try cli.run(["results", "fid.yaml"])
        XCTAssertTrue(results.stdout.contains("fid.fid64_random_weights "), results.stdout)
        XCTAssertTrue(results.stdout.contains("fid.fid192_random_weights_ci_high"), results.stdout)
        XCTAssertTrue(results.stdout.contains("fid.random_weights"), results.stdout)
        XCTAssertFalse(results.stdout.contains("fid.fid64 "), "an unlabelled FID from random weights: \(results.stdout)")

        // A second FID against the same photos reuses their statistics.
        try cli.write("fid.yaml", spec(weights: "random").replacingOccurrences(of: "bootstrap: 3", with: "bootstrap: 0"))
        let second = try cli.run(["run", "fid.yaml"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("cached   photo_stats"), second.stderr)
    }

    func testStatisticsFromOtherWeightsAreRefused() throws {
        let mixed = spec(weights: "random").replacingOccurrences(of: "params: {weights: random, taps: [64, 192], bootstrap: 3}",
                                                                with: "params: {weights: random, seed: 1, taps: [64, 192]}")
        try cli.write("fid.yaml", mixed)
        let run = try cli.run(["run", "fid.yaml"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("features of different networks cannot be compared"), run.stderr)
    }

    func testMissingOfficialWeightsSayWhereToGetThemAndWhereToPutThem() throws {
        try cli.write("fid.yaml", spec(weights: "official"))
        let run = try cli.run(["run", "fid.yaml"])
        XCTAssertNotEqual(run.status, 0)
        let expected = weightsDir.appendingPathComponent("pt_inception-2015-12-05-6726825d.pth").path
        XCTAssertTrue(run.stderr.contains(expected), run.stderr)
        XCTAssertTrue(run.stderr.contains("pleinair weights fetch inception"), run.stderr)
        XCTAssertTrue(run.stderr.contains("https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/"), run.stderr)
    }

    func testWeightsFetchDownloadsFromTheGivenServerAndChecksTheChecksum() throws {
        let served = cli.workspace.appendingPathComponent("served")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        let payload = Data("not really weights\n".utf8)
        try payload.write(to: served.appendingPathComponent("w.pth"))
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", served.path]
        let pipe = Pipe()
        server.standardOutput = pipe
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        var banner = Data()
        while !banner.contains(UInt8(ascii: "\n")) {
            let chunk = pipe.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            banner.append(chunk)
        }
        // "Serving HTTP on 127.0.0.1 port 12345 (http://127.0.0.1:12345/) ..."
        let words = String(decoding: banner, as: UTF8.self).split(separator: " ")
        let port = try XCTUnwrap(words.firstIndex(of: "port").map { words[$0 + 1] })
        let url = "http://127.0.0.1:\(port)/w.pth"

        let wrong = try cli.runWithoutWorkspace(["weights", "fetch", "inception", "--url", url])
        XCTAssertNotEqual(wrong.status, 0, "a file without the official checksum was accepted")
        XCTAssertTrue(wrong.stderr.contains("6726825d"), wrong.stderr)

        let sha = "2e33f43c"  // SHA-256 of "not really weights\n" starts so
        let fetched = try cli.runWithoutWorkspace(["weights", "fetch", "inception", "--url", url, "--expect-sha256", sha])
        XCTAssertEqual(fetched.status, 0, fetched.stderr)
        let target = weightsDir.appendingPathComponent("pt_inception-2015-12-05-6726825d.pth")
        XCTAssertEqual(try Data(contentsOf: target), payload)
        let path = try cli.runWithoutWorkspace(["weights", "path", "inception"])
        XCTAssertEqual(path.stdout.trimmingCharacters(in: .whitespacesAndNewlines), target.path)
    }
}
