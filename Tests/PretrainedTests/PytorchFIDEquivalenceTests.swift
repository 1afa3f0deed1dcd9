import Basics
import Foundation
@testable import NN
import Tensor
@testable import Pretrained
import XCTest

/// The import's proof that the TF Inception tensors equal pytorch-fid's file, on the mapping tests'
/// hash archive and stand-in "pytorch-fid files" written as `.pth` (no 87 MB wheel needed).
final class PytorchFIDEquivalenceTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pytorch-fid-equivalence-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// The mapped state dict and a stand-in for pytorch-fid's file: the full network holding it, with
    /// `change` applied to its state dict first.
    func standIn(_ change: (inout [String: Tensor]) -> Void = { _ in }) throws -> (mapped: [String: Tensor], file: URL) {
        let mapped = try TFInceptionWeights.stateDict(from: TFInceptionMappingTests.hashArchive(), path: "hash.pt")
        let net = FIDInception()
        try net.load(stateDict: mapped)
        var full = net.stateDict()
        change(&full)
        let file = folder.appendingPathComponent(PretrainedWeights.inception.fileName)
        try PyTorchCheckpoint.write(full.sorted { $0.key < $1.key }.map { (key: $0.key, tensor: $0.value) }, to: file)
        return (mapped, file)
    }

    /// `tensor` with element 0 moved by `relative` × its largest absolute value.
    static func nudged(_ tensor: Tensor, by relative: Float) -> Tensor {
        var values = tensor.scalars
        values[0] += relative * values.map(abs).max()!
        return Tensor(shape: tensor.shape, values: values)
    }

    func prefix(_ file: URL) throws -> String { String(try SHA256Digest.hex(file: file.path).prefix(8)) }

    func testEqualTensorsAreRecordedAndMakeTheImportCountAsPytorchFIDsFile() throws {
        let (mapped, file) = try standIn()
        let destination = folder.appendingPathComponent(TFInceptionWeights.fileName)
        let result = try XCTUnwrap(try TFInceptionWeights.store(mapped, to: destination, comparingWith: file))
        XCTAssertTrue(result.equal, result.summary)
        XCTAssertEqual(result.compared, 94 * 5)
        XCTAssertEqual(result.maxRelativeDifference, 0)
        XCTAssertEqual(result.sha256, try SHA256Digest.hex(file: file.path))
        XCTAssertTrue(result.summary.contains("equal to pytorch-fid's"), result.summary)
        XCTAssertTrue(result.summary.contains("does not start with the published file's"), result.summary)  // a stand-in
        XCTAssertTrue(TFInceptionWeights.provenEqualToPytorchFID(destination, sha256Prefix: try prefix(file)))
        // The stand-in is not the published file: against its pinned SHA-256 prefix the proof does not hold.
        XCTAssertFalse(TFInceptionWeights.provenEqualToPytorchFID(destination))
        XCTAssertNoThrow(try TFInceptionWeights.load(destination))
    }

    func testOneTensorChangedIsNotEqualAndNothingIsRecorded() throws {
        let name = "Mixed_6b.branch7x7dbl_4.conv.weight"
        let (mapped, file) = try standIn { $0[name] = Self.nudged($0[name]!, by: 1e-4) }
        let destination = folder.appendingPathComponent(TFInceptionWeights.fileName)
        let result = try XCTUnwrap(try TFInceptionWeights.store(mapped, to: destination, comparingWith: file))
        XCTAssertFalse(result.equal)
        XCTAssertEqual(result.different.count, 1)
        XCTAssertTrue(result.different[0].hasPrefix(name), "\(result.different)")
        XCTAssertEqual(result.worstTensor, name)
        XCTAssertEqual(result.maxRelativeDifference, 1e-4, accuracy: 1e-5)
        XCTAssertTrue(result.summary.contains("NOT equal") && result.summary.contains(name), result.summary)
        XCTAssertTrue(result.metadata.isEmpty)
        XCTAssertFalse(TFInceptionWeights.provenEqualToPytorchFID(destination, sha256Prefix: try prefix(file)))
    }

    func testTheToleranceSeparatesRoundingFromAnotherNetwork() throws {
        let name = "Conv2d_4a_3x3.bn.running_var"
        let (within, fileWithin) = try standIn { $0[name] = Self.nudged($0[name]!, by: 3e-7) }
        let small = try PytorchFIDEquivalence.compare(within, with: fileWithin)
        XCTAssertTrue(small.equal, small.summary)
        XCTAssertGreaterThan(small.maxRelativeDifference, 0)
        let (beyond, fileBeyond) = try standIn { $0[name] = Self.nudged($0[name]!, by: 5e-6) }
        XCTAssertFalse(try PytorchFIDEquivalence.compare(beyond, with: fileBeyond).equal)
    }

    func testAMissingTensorIsNotEqual() throws {
        let (mapped, file) = try standIn()
        var extra = mapped
        extra["Mixed_7c.extra.weight"] = Tensor(zeros: [2])
        let result = try PytorchFIDEquivalence.compare(extra, with: file)
        XCTAssertEqual(result.different, ["Mixed_7c.extra.weight missing"])
    }

    func testWithoutPytorchFIDsFileNothingIsComparedOrRecorded() throws {
        let (mapped, _) = try standIn()
        let destination = folder.appendingPathComponent(TFInceptionWeights.fileName)
        XCTAssertNil(try TFInceptionWeights.store(mapped, to: destination, comparingWith: folder.appendingPathComponent("absent.pth")))
        XCTAssertNil(try TFInceptionWeights.store(mapped, to: destination, comparingWith: nil))
        XCTAssertFalse(TFInceptionWeights.provenEqualToPytorchFID(destination, sha256Prefix: ""))
        XCTAssertFalse(TFInceptionWeights.provenEqualToPytorchFID(folder.appendingPathComponent("none.safetensors"), sha256Prefix: ""))
    }
}
