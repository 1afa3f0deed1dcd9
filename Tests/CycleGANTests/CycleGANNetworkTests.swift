import Basics
import NN
import Tensor
import XCTest
import CycleGAN

final class CycleGANNetworkTests: XCTestCase {
    func testGeneratorKeysFollowTheJunyanzLayout() {
        var rng = SeededGenerator(seed: 0)
        let keys = ResnetGenerator(ngf: 8, blocks: 2, generator: &rng).namedParameters().map(\.name)
        XCTAssertEqual(keys.first, "model.1.weight")
        XCTAssertTrue(keys.contains("model.10.conv_block.1.weight"))
        XCTAssertTrue(keys.contains("model.11.conv_block.5.bias"))
        XCTAssertTrue(keys.contains("model.12.weight"))  // first transposed conv after 2 blocks
        XCTAssertEqual(keys.last, "model.19.bias")
    }

    func testGeneratorKeepsImageSizeAndRange() {
        var rng = SeededGenerator(seed: 0)
        let g = ResnetGenerator(ngf: 4, blocks: 1, generator: &rng)
        let y = GradMode.withoutGradient { g(Tensor.randomUniform([2, 3, 16, 12], low: -1, high: 1, generator: &rng)) }
        XCTAssertEqual(y.shape, [2, 3, 16, 12])
        XCTAssertTrue(y.scalars.allSatisfy { $0 > -1 && $0 < 1 })
    }

    func testDiscriminatorScoresPatches() {
        var rng = SeededGenerator(seed: 0)
        let d = NLayerDiscriminator(ndf: 4, generator: &rng)
        XCTAssertEqual(d(Tensor(zeros: [1, 3, 64, 64])).shape, [1, 1, 6, 6])
        XCTAssertEqual(d.namedParameters().map(\.name).filter { $0.hasSuffix("weight") },
                       ["model.0.weight", "model.2.weight", "model.5.weight", "model.8.weight", "model.11.weight"])
    }

    func testResidualBlockGradientsMatchFiniteDifferences() {
        // The ReLU sits after a normalisation; draw inputs until every pre-activation is 0.01 away from
        // its kink, so the small finite-difference step below cannot cross it.
        var rng = SeededGenerator(seed: 5)
        var block: ResnetBlock, x: Tensor
        repeat {
            block = ResnetBlock(channels: 2, generator: &rng)
            x = Tensor.randomNormal([1, 2, 5, 5], generator: &rng, requiresGrad: true)
            let conv = block.convBlock.layers[1] as! Conv2d
            let pre = GradMode.withoutGradient { conv(x.padded(1, mode: .reflect)).instanceNorm() }
            if pre.scalars.allSatisfy({ abs($0) > 0.01 }) { break }
        } while true
        // The conv biases feed an instance norm, so their true gradient is zero and a finite
        // difference of it is only rounding noise: they are checked for (near) zero instead.
        let named = block.namedParameters()
        for t in [x] + named.filter({ $0.name.hasSuffix("weight") }).map(\.tensor) {
            XCTAssertLessThan(GradientCheck.maxError([t], epsilon: 3e-4) { _ in block(x) }, 1e-2)
        }
        block.zeroGrad()
        block(x).squared().sum().backward()
        let weightScale = named.filter { $0.name.hasSuffix("weight") }.map { $0.tensor.grad!.scalars.map(abs).max()! }.max()!
        for (name, t) in named where name.hasSuffix("bias") {
            XCTAssertLessThan(t.grad!.scalars.map(abs).max()!, 1e-4 * weightScale, name)
        }
    }

    func testInitialisationFollowsCycleGANNormal() {
        var rng = SeededGenerator(seed: 0)
        let g = ResnetGenerator(ngf: 8, blocks: 2, generator: &rng)
        let w = g.namedParameters().first { $0.name == "model.10.conv_block.1.weight" }!.tensor.scalars
        let mean = w.reduce(0, +) / Float(w.count)
        let std = (w.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(w.count)).squareRoot()
        XCTAssertEqual(std, 0.02, accuracy: 0.002)
        XCTAssertTrue(g.namedParameters().filter { $0.name.hasSuffix("bias") }.allSatisfy { $0.tensor.scalars.allSatisfy { $0 == 0 } })
    }

    func testSeededSingleThreadTrainingStepsAreBitIdentical() {
        func run() -> [UInt32] {
            BLASKernel.setThreadCount(1)
            var rng = SeededGenerator(seed: 11)
            let g = ResnetGenerator(ngf: 4, blocks: 1, generator: &rng)
            let d = NLayerDiscriminator(ndf: 4, generator: &rng)
            let adam = Adam(parameters: g.parameters)
            let x = Tensor.randomUniform([1, 3, 32, 32], low: -1, high: 1, generator: &rng)
            for _ in 0..<2 {
                adam.zeroGrad()
                let fake = g(x)
                (mseLoss(d(fake), target: 1) + l1Loss(fake, x) * 10).backward()
                adam.step()
            }
            return g.parameters.flatMap { $0.scalars.map(\.bitPattern) }
        }
        let before = BLASKernel.threadCount
        defer { BLASKernel.setThreadCount(before) }
        XCTAssertEqual(run(), run())
    }

    func testCheckpointedBlocksGiveTheGeneratorsInputAndParameterGradientsBitForBit() {
        var rng = SeededGenerator(seed: 2)
        let g = ResnetGenerator(ngf: 4, blocks: 2, generator: &rng)
        let x = Tensor.randomUniform([1, 3, 16, 16], low: -1, high: 1, generator: &rng, requiresGrad: true)
        let target = Tensor.randomUniform([1, 3, 16, 16], low: -1, high: 1, generator: &rng)
        func gradients(_ checkpointed: Bool) -> [[Float]] {
            g.checkpointsBlocks = checkpointed
            for t in [x] + g.parameters { t.grad = nil }
            // Twice through the generator, as a cycle: G(G(x)) and G(x) both feed the loss.
            let y = g(x)
            ((g(y) - target).abs().mean() + (y - target).abs().mean()).backward()
            return ([x] + g.parameters).map { $0.grad!.scalars }
        }
        let plain = gradients(false), checked = gradients(true)
        XCTAssertEqual(checked.count, plain.count)
        for (i, (a, b)) in zip(checked, plain).enumerated() { XCTAssertEqual(a, b, "gradient \(i) (0 is the input's)") }
        // Recomputing leaves the translation itself alone.
        let checkedTranslation = GradMode.withoutGradient { g(x) }.scalars
        g.checkpointsBlocks = false
        XCTAssertEqual(checkedTranslation, GradMode.withoutGradient { g(x) }.scalars)
    }
}
