import Foundation
@testable import NN
import Tensor
@testable import Pretrained
import TestSupport
import XCTest

/// The checkpoint reader against files torch.save wrote (fid_reference.py), in both formats.
final class PyTorchCheckpointTests: XCTestCase {
    func url(_ name: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "pth", subdirectory: "Fixtures/fid"))
    }

    func assertReadsTinyStateDict(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let dict = try PyTorchCheckpoint.readStateDict(contentsOf: try url(name))
        let reference = FIDInception.hashInitialized().stateDict()
        for key in ["Conv2d_1a_3x3.conv.weight", "Conv2d_1a_3x3.bn.weight", "Conv2d_1a_3x3.bn.bias",
                    "Conv2d_1a_3x3.bn.running_mean", "Conv2d_1a_3x3.bn.running_var"] {
            let t = try XCTUnwrap(dict[key], key, file: file, line: line)
            XCTAssertEqual(t.shape, reference[key]!.shape, key, file: file, line: line)
            XCTAssertEqual(t.scalars, reference[key]!.scalars, key, file: file, line: line)
        }
        XCTAssertEqual(dict["Conv2d_1a_3x3.bn.num_batches_tracked"]?.scalars, [7], file: file, line: line)
        let base = (0..<24).map { Float($0) * 0.5 - 3 }  // [4, 6]
        let transposed = try XCTUnwrap(dict["views.transposed"], file: file, line: line)
        XCTAssertEqual(transposed.shape, [6, 4], file: file, line: line)
        XCTAssertEqual(transposed.scalars, (0..<6).flatMap { i in (0..<4).map { j in base[j * 6 + i] } }, file: file, line: line)
        let slice = try XCTUnwrap(dict["views.slice"], file: file, line: line)
        XCTAssertEqual(slice.shape, [2, 3], file: file, line: line)
        XCTAssertEqual(slice.scalars, [1, 2].flatMap { i in (2..<5).map { j in base[i * 6 + j] } }, file: file, line: line)
        XCTAssertEqual(dict["views.scalar"]?.scalars, [2.5], file: file, line: line)
    }

    func testReadsZipCheckpoint() throws { try assertReadsTinyStateDict("tiny_zip") }

    func testReadsLegacyCheckpoint() throws { try assertReadsTinyStateDict("tiny_legacy") }

    func testRejectsAFileThatIsNotACheckpoint() throws {
        let bad = TemporaryFolder.url("not-a-checkpoint", extension: "pth")
        try Data("hello".utf8).write(to: bad)
        defer { try? FileManager.default.removeItem(at: bad) }
        XCTAssertThrowsError(try PyTorchCheckpoint.readStateDict(contentsOf: bad)) { error in
            XCTAssertTrue("\(error)".contains(bad.path), "\(error)")
        }
    }

    func testPartialStateDictIsNotAcceptedAsInceptionWeights() throws {
        XCTAssertThrowsError(try InceptionWeights.load(try url("tiny_zip"))) { error in
            XCTAssertTrue("\(error)".contains("not FID Inception weights"), "\(error)")
        }
    }

    func testSafetensorsRoundTripLoadsIntoTheNetwork() throws {
        let net = FIDInception.hashInitialized(seed: 5)
        let file = TemporaryFolder.url("fid", extension: "safetensors")
        try SafeTensors.write(net.stateDict(), to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let loaded = try InceptionWeights.load(file)
        XCTAssertEqual(loaded.stateDict()["Mixed_7c.branch_pool.conv.weight"]?.scalars,
                       net.stateDict()["Mixed_7c.branch_pool.conv.weight"]?.scalars)
    }
}
