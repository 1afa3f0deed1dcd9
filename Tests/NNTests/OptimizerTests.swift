import Foundation
import NN
import Tensor
import XCTest

final class OptimizerTests: XCTestCase {
    func testAdamMatchesPyTorchOverThreeSteps() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "adam", withExtension: "safetensors", subdirectory: "Fixtures"))
        let f = try SafeTensors.read(contentsOf: url)
        let start = try XCTUnwrap(f["adam.start"]), target = try XCTUnwrap(f["adam.target"])
        let p = Tensor(shape: start.shape, values: start.scalars, requiresGrad: true)
        let adam = Adam(parameters: [p], learningRate: 0.01, beta1: 0.5)
        for _ in 0..<3 {
            adam.zeroGrad()
            mseLoss(p, target).backward()
            adam.step()
        }
        let expected = try XCTUnwrap(f["adam.after3"])
        for (a, b) in zip(p.scalars, expected.scalars) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        XCTAssertEqual(adam.stepCount, 3)
    }

    func testAdamSkipsParametersWithoutGradient() {
        let p = Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        let adam = Adam(parameters: [p])
        adam.step()
        XCTAssertEqual(p.scalars, [1, 2])
    }

    func testLinearDecayFollowsCycleGANLambdaRule() {
        let s = LinearDecaySchedule(baseLearningRate: 2e-4, constantEpochs: 100, decayEpochs: 100)
        XCTAssertEqual(s.learningRate(epoch: 1), 2e-4)
        XCTAssertEqual(s.learningRate(epoch: 100), 2e-4)
        XCTAssertEqual(s.learningRate(epoch: 101), 2e-4 * (1 - 1 / 101), accuracy: 1e-10)
        XCTAssertEqual(s.learningRate(epoch: 200), 2e-4 * (1 - 100 / 101), accuracy: 1e-10)
    }
}
