import Basics
import Foundation
import NN
import Tensor
@testable import Pretrained
import TestSupport
import XCTest

final class StyleTransferTests: XCTestCase {
    private func reference() throws -> [String: Tensor] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/style/reference", withExtension: "safetensors"))
        return try SafeTensors.read(contentsOf: url)
    }

    private func image(_ t: Tensor) -> Tensor { t.reshaped([1] + t.shape) }

    func testLayerNamesFollowTorchvisionIndices() {
        XCTAssertEqual(VGG19Features.layers["relu1_1"], 1)
        XCTAssertEqual(VGG19Features.layers["relu4_2"], 22)
        XCTAssertEqual(VGG19Features.layers["relu5_1"], 29)
        XCTAssertEqual(VGG19Features.layers["pool5"], 36)
        XCTAssertEqual(VGG19Features().stateDict().count, 32, "16 convolutions, weight and bias each")
    }

    func testFeaturesGramMatricesLossAndImageGradientAgreeWithPyTorch() throws {
        let f = try reference()
        let net = VGG19Features.hashInitialized(seed: 0)
        let painting = image(f["painting"]!)
        let acts = net.activations(painting, at: ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu4_2", "relu5_1"])
        for (name, a) in acts {
            let mean = a.scalars.reduce(0) { $0 + Double($1) } / Double(a.count)
            let meanSquare = a.scalars.reduce(0) { $0 + Double($1) * Double($1) } / Double(a.count)
            XCTAssertEqual(mean, Double(f["mean_\(name)"]!.item), accuracy: 1e-4 * max(1e-3, abs(mean)), name)
            XCTAssertEqual(meanSquare, Double(f["meansq_\(name)"]!.item), accuracy: 1e-4 * meanSquare, name)
        }
        XCTAssertLessThan(GradientCheck.relativeError(StyleTransfer.gram(acts["relu1_1"]!), f["gram_relu1_1"]!), 1e-4)

        var transfer = StyleTransfer(network: net)
        transfer.setStyle([image(f["style"]!)])
        let x = painting.copy()
        x.requiresGrad = true
        let parts = transfer.loss(x, content: transfer.contentTarget(painting))
        XCTAssertEqual(parts.content.item, f["content_loss"]!.item, accuracy: 1e-4 * max(1e-9, f["content_loss"]!.item))
        XCTAssertEqual(parts.style.item, f["style_loss"]!.item, accuracy: 1e-4 * f["style_loss"]!.item)
        XCTAssertEqual(parts.total.item, f["total_loss"]!.item, accuracy: 1e-4 * f["total_loss"]!.item)
        parts.total.backward()
        XCTAssertLessThan(GradientCheck.relativeError(try XCTUnwrap(x.grad).reshaped([3, 32, 32]), f["image_gradient"]!), 1e-4)
    }

    func testGramMatrixGradientMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 7)
        let features = Tensor.randomNormal([1, 4, 3, 5], generator: &rng, requiresGrad: true)
        XCTAssertLessThan(GradientCheck.maxError([features]) { StyleTransfer.gram($0[0]) }, 1e-3)
    }

    func testOptimisationLowersItsLossMonotonically() throws {
        let f = try reference()
        var transfer = StyleTransfer(network: .hashInitialized(seed: 0))
        transfer.setStyle([image(f["style"]!)])
        let (result, losses) = try transfer.run(painting: image(f["painting"]!), steps: 8, learningRate: 0.002)
        XCTAssertEqual(losses.count, 8)
        for (a, b) in zip(losses, losses.dropFirst()) { XCTAssertLessThanOrEqual(b, a) }
        XCTAssertLessThan(losses.last!, losses.first! * 0.9)
        XCTAssertTrue(result.scalars.allSatisfy { $0 >= 0 && $0 <= 1 }, "pixels stay in [0, 1]")
    }

    func testLoadingKeepsOnlyTheFeatureKeysOfATorchvisionStateDict() throws {
        let net = VGG19Features.hashInitialized(seed: 3)
        var dict = net.stateDict()
        dict["classifier.0.weight"] = Tensor(zeros: [2, 2])
        let url = TemporaryFolder.url("vgg", extension: "safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafeTensors.write(dict, to: url)
        let loaded = try VGG19Features.load(url)
        XCTAssertEqual(loaded.stateDict()["features.34.bias"]!.scalars, net.stateDict()["features.34.bias"]!.scalars)
    }
}
