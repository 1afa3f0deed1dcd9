import Basics
import NN
import Tensor
import XCTest
import CycleGAN

/// The trainer's schedule and bookkeeping, without data.
final class CycleGANTrainerTests: XCTestCase {
    private func trainer(epochSize: Int, constant: Int, decay: Int) -> CycleGANTrainer {
        var o = CycleGANOptions()
        o.ngf = 2; o.ndf = 2; o.blocks = 0; o.discriminatorLayers = 1
        return CycleGANTrainer(model: CycleGAN(options: o),
                               schedule: LinearDecaySchedule(baseLearningRate: 1, constantEpochs: constant, decayEpochs: decay),
                               iterationsPerEpoch: epochSize)
    }

    func testLearningRateIsConstantThenDecaysLinearlyPerEpochAsJunyanz() {
        let t = trainer(epochSize: 10, constant: 2, decay: 2)
        XCTAssertEqual(t.totalIterations, 40)
        let expected: [Float] = [1, 1, 2.0 / 3, 2.0 / 3, 1.0 / 3, 1.0 / 3]
        let rates: [Float] = [0, 19, 20, 29, 30, 39].map { t.learningRate(iteration: $0) }
        for (rate, want) in zip(rates, expected) { XCTAssertEqual(rate, want, accuracy: 1e-6) }
    }

    func testAStepUpdatesAllFourNetworksAndCountsTheIteration() throws {
        let t = trainer(epochSize: 5, constant: 1, decay: 0)
        let before = t.model.networks.map { $0.module.parameters.map(\.scalars) }
        var rng = SeededGenerator(seed: 4)
        let a = Tensor.randomUniform([1, 3, 16, 16], low: -1, high: 1, generator: &rng)
        let b = Tensor.randomUniform([1, 3, 16, 16], low: -1, high: 1, generator: &rng)
        let losses = try t.step(realA: a, realB: b)
        XCTAssertEqual(t.iteration, 1)
        for (k, (name, module)) in t.model.networks.enumerated() {
            XCTAssertNotEqual(module.parameters.map(\.scalars), before[k], "\(name) did not move")
            XCTAssertTrue(module.parameters.allSatisfy { $0.grad == nil && $0.requiresGrad }, "\(name) keeps gradients or is frozen")
        }
        XCTAssertEqual(losses.patch, 0)
        XCTAssertTrue(losses.named.allSatisfy { $0.value.isFinite && $0.value >= 0 })
    }

    func testCheckpointedBlocksGiveTheSameStepToTheLastBit() throws {
        func train(checkpointBlocks: Bool) throws -> (losses: [Float], weights: [[Float]]) {
            var o = CycleGANOptions()
            o.ngf = 4; o.ndf = 4; o.blocks = 2; o.discriminatorLayers = 2; o.seed = 5
            o.checkpointBlocks = checkpointBlocks
            let t = CycleGANTrainer(model: CycleGAN(options: o), schedule: LinearDecaySchedule(constantEpochs: 1, decayEpochs: 0),
                                    iterationsPerEpoch: 2)
            XCTAssertEqual(t.model.generatorA.checkpointsBlocks, checkpointBlocks)
            var rng = SeededGenerator(seed: 6)
            var losses: [Float] = []
            for _ in 0..<2 {
                let a = Tensor.randomUniform([1, 3, 16, 16], low: -1, high: 1, generator: &rng)
                let b = Tensor.randomUniform([1, 3, 16, 16], low: -1, high: 1, generator: &rng)
                losses += try t.step(realA: a, realB: b).named.map(\.value)
            }
            return (losses, t.model.networks.flatMap { $0.module.parameters.map(\.scalars) })
        }
        let plain = try train(checkpointBlocks: false), checked = try train(checkpointBlocks: true)
        XCTAssertEqual(checked.losses, plain.losses)
        XCTAssertEqual(checked.weights.count, plain.weights.count)
        for (i, (a, b)) in zip(checked.weights, plain.weights).enumerated() { XCTAssertEqual(a, b, "parameter tensor \(i)") }
    }
}
