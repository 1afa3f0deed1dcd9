import Foundation
import NN
import Tensor
@testable import Pretrained
import TestSupport
import XCTest

/// pytorch-fid's Inception against PyTorch (scripts/reference/fid_reference.py): the same hash
/// weights and hash images give the same four pooled taps within 1e-4 relative.
final class FIDInceptionGoldenTests: XCTestCase {
    static let imageSizes = [(37, 45), (64, 64), (310, 302)]

    /// Image k of the reference script, as [1, 3, H, W] in [-1, 1].
    static func hashImage(_ k: Int, height: Int, width: Int) -> Tensor {
        let seed = HashWeights.fnv1a("image\(k)")
        let values = (0..<(3 * height * width)).map { i -> Float in
            Float(HashWeights.hash(UInt64(i), seed: seed) % 256) / 255 * 2 - 1
        }
        return Tensor(shape: [1, 3, height, width], values: values)
    }

    static func referenceTaps() throws -> [String: Tensor] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "inception_taps", withExtension: "safetensors",
                                                  subdirectory: "Fixtures/fid"))
        return try SafeTensors.read(contentsOf: url)
    }

    func assertTapsMatchReference(_ net: FIDInception, file: StaticString = #filePath, line: UInt = #line) throws {
        let reference = try Self.referenceTaps()
        for (k, (h, w)) in Self.imageSizes.enumerated() {
            let taps = net.features(Self.hashImage(k, height: h, width: w), taps: Set(FIDInception.tapDimensions))
            for dim in FIDInception.tapDimensions {
                let expected = try XCTUnwrap(reference["tap\(dim)"]).slice(axis: 0, k..<(k + 1)).reshaped([dim])
                let got = Tensor(shape: [dim], values: try XCTUnwrap(taps[dim]))
                XCTAssertLessThan(GradientCheck.relativeError(got, expected), 1e-4, "image \(k) (\(h)×\(w)) tap \(dim)", file: file, line: line)
            }
        }
    }

    func testHashWeightsReproducePyTorchTapsAtAllFourLayers() throws {
        try assertTapsMatchReference(FIDInception.hashInitialized())
    }

    func testBatchedFeaturesEqualOneImageAtATime() throws {
        let net = FIDInception.hashInitialized(seed: 3)
        let a = Self.hashImage(0, height: 40, width: 40), b = Self.hashImage(1, height: 40, width: 40)
        let both = net.features(Tensor.concat([a, b], axis: 0), taps: [64, 768])
        let single = net.features(b, taps: [64, 768])
        for dim in [64, 768] {
            let second = Array(try XCTUnwrap(both[dim])[dim...])
            XCTAssertLessThan(GradientCheck.relativeError(Tensor(shape: [dim], values: second), Tensor(shape: [dim], values: single[dim]!)), 1e-6)
        }
    }

    /// Groups of four images run one per thread: every image's four taps have the same bits on one
    /// thread as on two (five images: a group of four and one of one).
    func testFeaturesDoNotDependOnTheThreadCount() throws {
        let net = FIDInception.hashInitialized(seed: 5)
        let saved = BLASKernel.threadCount
        defer { BLASKernel.setThreadCount(saved) }
        for count in [5] {
            let images = Tensor.concat((0..<count).map { Self.hashImage($0, height: 48, width: 40) }, axis: 0)
            BLASKernel.setThreadCount(1)
            let one = net.features(images, taps: Set(FIDInception.tapDimensions))
            BLASKernel.setThreadCount(2)
            let two = net.features(images, taps: Set(FIDInception.tapDimensions))
            for dim in FIDInception.tapDimensions {
                XCTAssertEqual(try XCTUnwrap(two[dim]).count, count * dim)
                XCTAssertEqual(try XCTUnwrap(two[dim]).map(\.bitPattern), try XCTUnwrap(one[dim]).map(\.bitPattern),
                               "\(count) images, tap \(dim)")
            }
        }
    }

    func testStateDictKeysAreTorchvisionInception3Names() {
        let keys = Set(FIDInception().stateDict().keys)
        XCTAssertTrue(keys.contains("Conv2d_1a_3x3.conv.weight"))
        XCTAssertTrue(keys.contains("Mixed_5b.branch_pool.bn.running_var"))
        XCTAssertTrue(keys.contains("Mixed_6e.branch7x7dbl_5.conv.weight"))
        XCTAssertTrue(keys.contains("Mixed_7c.branch3x3dbl_3b.bn.bias"))
        XCTAssertEqual(keys.count, 94 * 5)  // 94 BasicConv2d, each conv.weight + four batch-norm tensors
    }

    func testOnlyTheDeepestRequestedTapIsComputed() {
        let net = FIDInception.hashInitialized()
        let taps = net.features(Self.hashImage(0, height: 20, width: 20), taps: [192])
        XCTAssertEqual(Array(taps.keys), [192])
        XCTAssertEqual(taps[192]?.count, 192)
    }

    /// The full hash-weight state dict as the reference script saves it (PLEINAIR_FID_WEIGHTS_DIR,
    /// written by `fid_reference.py --full-weights DIR`; ~95 MB each, so never committed).
    func testFullWeightFilesFromPyTorchLoadAndReproduceTaps() throws {
        let dir = ProcessInfo.processInfo.environment["PLEINAIR_FID_WEIGHTS_DIR"] ?? ""
        try Requirement.fidWeights.check(!dir.isEmpty,
                                         "set PLEINAIR_FID_WEIGHTS_DIR to the folder fid_reference.py --full-weights wrote", in: self)
        for name in ["fid_hash.safetensors", "fid_hash.pth"] {
            let net = try InceptionWeights.load(URL(fileURLWithPath: dir).appendingPathComponent(name))
            try assertTapsMatchReference(net)
        }
    }
}
