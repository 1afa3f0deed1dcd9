import Basics
import Tensor
import XCTest

/// `Tensor.checkpoint`: the same values and gradients as the unchecked function, with the inner
/// activations recomputed in backward.
final class CheckpointTests: XCTestCase {
    /// A small residual function of x and two leaf parameters: x + w2 ∗ relu(norm(w1 ∗ x + b1)).
    private struct Residual {
        let w1: Tensor, b1: Tensor, w2: Tensor
        init(channels: Int, seed: UInt64) {
            var rng = SeededGenerator(seed: seed)
            w1 = Tensor.randomNormal([channels, channels, 3, 3], std: 0.3, generator: &rng, requiresGrad: true)
            b1 = Tensor.randomNormal([channels], std: 0.1, generator: &rng, requiresGrad: true)
            w2 = Tensor.randomNormal([channels, channels, 3, 3], std: 0.3, generator: &rng, requiresGrad: true)
        }
        var parameters: [Tensor] { [w1, b1, w2] }
        func callAsFunction(_ x: Tensor) -> Tensor {
            let h = x.conv2d(weight: w1, bias: b1, padding: 1).instanceNorm().relu()
            return x + h.conv2d(weight: w2, padding: 1)
        }
    }

    private func input(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor.randomNormal(shape, generator: &rng, requiresGrad: true)
    }

    func testCheckpointedFunctionPassesTheFiniteDifferenceCheck() {
        let f = Residual(channels: 2, seed: 1)
        let x = input([1, 2, 5, 5], seed: 2)
        let error = GradientCheck.maxError([x] + f.parameters, epsilon: 1e-2) { t in
            Tensor.checkpoint(t[0]) { f($0) }.tanh()
        }
        XCTAssertLessThan(error, 1e-2)
    }

    func testValuesAndGradientsAreBitIdenticalToTheUncheckedFunction() {
        let f = Residual(channels: 3, seed: 3)
        let x = input([2, 3, 8, 8], seed: 4)
        var rng = SeededGenerator(seed: 5)
        let weights = Tensor.randomUniform([2, 3, 8, 8], low: -1, high: 1, generator: &rng)
        func run(_ checkpointed: Bool) -> (value: [Float], grads: [[Float]]) {
            for t in [x] + f.parameters { t.grad = nil }
            // Two uses in a chain and one beside it, as a generator is used in a CycleGAN step.
            let apply: (Tensor) -> Tensor = { t in checkpointed ? Tensor.checkpoint(t) { f($0) } : f(t) }
            let y = apply(apply(x)) + apply(x.scaled(0.5))
            (y * weights).sum().backward()
            return (y.scalars, ([x] + f.parameters).map { $0.grad!.scalars })
        }
        let plain = run(false), checked = run(true)
        XCTAssertEqual(checked.value, plain.value)
        for (i, (a, b)) in zip(checked.grads, plain.grads).enumerated() { XCTAssertEqual(a, b, "gradient \(i)") }
    }

    func testParameterGradientsAccumulateIntoExistingGradients() {
        let f = Residual(channels: 2, seed: 6)
        let x = input([1, 2, 4, 4], seed: 7)
        Tensor.checkpoint(x) { f($0) }.sum().backward()
        let once = f.w1.grad!.scalars
        Tensor.checkpoint(x) { f($0) }.sum().backward()
        XCTAssertEqual(f.w1.grad!.scalars, once.map { $0 + $0 })
    }

    func testWithoutRecordingItIsJustTheFunction() {
        let f = Residual(channels: 2, seed: 8)
        let x = input([1, 2, 4, 4], seed: 9)
        var calls = 0
        let y = GradMode.withoutGradient { Tensor.checkpoint(x) { calls += 1; return f($0) } }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertEqual(calls, 1)
        XCTAssertEqual(y.scalars, GradMode.withoutGradient { f(x) }.scalars)
    }

    func testTheBodyRunsAgainInBackwardOnly() {
        let f = Residual(channels: 2, seed: 10)
        let x = input([1, 2, 4, 4], seed: 11)
        var calls = 0
        let y = Tensor.checkpoint(x) { calls += 1; return f($0) }
        XCTAssertTrue(y.requiresGrad)
        XCTAssertEqual(calls, 1)
        y.sum().backward()
        XCTAssertEqual(calls, 2)
        XCTAssertNotNil(x.grad)
    }

    func testAnInputThatNeedsNoGradientStillGivesParameterGradients() {
        let f = Residual(channels: 2, seed: 12)
        let x = input([1, 2, 4, 4], seed: 13).detached()
        Tensor.checkpoint(x) { f($0) }.sum().backward()
        let checked = f.parameters.map { $0.grad!.scalars }
        for p in f.parameters { p.grad = nil }
        f(x).sum().backward()
        XCTAssertEqual(checked, f.parameters.map { $0.grad!.scalars })
        XCTAssertNil(x.grad)
    }
}
