import Basics
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

    func testAdamsEightLaneUpdateHasTheScalarRulesBits() {
        // Sizes around the eight-lane blocks and the thread split, three steps, against the rule written
        // out one value at a time in the same order.
        var rng = SeededGenerator(seed: 77)
        for count in [1, 7, 8, 9, 31, 100_003] {
            let p = Tensor.randomNormal([count], generator: &rng)
            var w = p.scalars, m = [Float](repeating: 0, count: count), v = m
            let adam = Adam(parameters: [p], learningRate: 2e-4, beta1: 0.5)
            for step in 1...3 {
                let g = Tensor.randomNormal([count], std: step == 2 ? 1e-3 : 1, generator: &rng)
                p.grad = g
                adam.step()
                let c1 = 1 - powf(0.5, Float(step)), c2 = (1 - powf(0.999, Float(step))).squareRoot(), size = Float(2e-4) / c1
                for (j, gj) in g.scalars.enumerated() {
                    m[j] = 0.5 * m[j] + (1 - 0.5) * gj
                    v[j] = 0.999 * v[j] + (1 - 0.999) * gj * gj
                    w[j] -= size * m[j] / (v[j].squareRoot() / c2 + 1e-8)
                }
                XCTAssertEqual(p.scalars.map(\.bitPattern), w.map(\.bitPattern), "\(count) values, step \(step)")
            }
        }
    }
}
