import Basics
import Tensor
import XCTest

/// Large convolutions build their column matrix a band of rows at a time; the bands must give the
/// same result as separate single-channel convolutions, whose smaller column matrices fit in one band.
final class ConvChunkingTests: XCTestCase {
    func testChunkedConvEqualsSumOfPerChannelConvs() {
        var rng = SeededGenerator(seed: 4)
        let x = Tensor.randomNormal([1, 3, 128, 128], generator: &rng, requiresGrad: true)
        // Six output channels: above the direct-kernel limit, so this takes the banded sgemm path.
        let w = Tensor.randomNormal([6, 3, 7, 7], std: 0.1, generator: &rng, requiresGrad: true)
        XCTAssertGreaterThan(6, ConvGeometry.directOutputChannelLimit)
        XCTAssertGreaterThan(3 * 49 * 122 * 122, 1 << 20, "full conv no longer spans several bands")
        XCTAssertLessThan(49 * 122 * 122, 1 << 20, "single-channel conv no longer fits one band")
        let full = x.conv2d(weight: w)
        // Without gradients the forward pass goes band by band; with them it keeps whole columns.
        let banded = GradMode.withoutGradient { x.conv2d(weight: w) }
        XCTAssertLessThan(maxDifference(full, banded), 1e-5)
        let seed = Tensor.randomNormal(full.shape, generator: &rng)
        full.backward(seed)
        let (gx, gw) = (x.grad!, w.grad!)
        x.grad = nil; w.grad = nil
        let parts = (0..<3).map { c in x.slice(axis: 1, c..<(c + 1)).conv2d(weight: w.slice(axis: 1, c..<(c + 1))) }
        let summed = parts[0] + parts[1] + parts[2]
        summed.backward(seed)
        XCTAssertLessThan(maxDifference(full, summed), 1e-4)
        XCTAssertLessThan(maxDifference(gx, x.grad!), 1e-4)
        XCTAssertLessThan(maxDifference(gw, w.grad!), 1e-3)
    }

    func testChunkedTransposedConvEqualsPerOutputChannelConvs() {
        var rng = SeededGenerator(seed: 5)
        let x = Tensor.randomNormal([1, 2, 128, 128], generator: &rng, requiresGrad: true)
        let w = Tensor.randomNormal([2, 3, 7, 7], std: 0.1, generator: &rng, requiresGrad: true)
        let full = x.convTranspose2d(weight: w, stride: 2, padding: 3, outputPadding: 1)
        XCTAssertEqual(full.shape, [1, 3, 256, 256])
        XCTAssertGreaterThan(3 * 49 * 128 * 128, 1 << 20, "full transposed conv no longer spans several bands")
        let seed = Tensor.randomNormal(full.shape, generator: &rng)
        full.backward(seed)
        let (gx, gw) = (x.grad!, w.grad!)
        x.grad = nil; w.grad = nil
        let parts = (0..<3).map { c in
            x.convTranspose2d(weight: w.slice(axis: 1, c..<(c + 1)), stride: 2, padding: 3, outputPadding: 1)
        }
        let joined = Tensor.concat(parts, axis: 1)
        joined.backward(seed)
        XCTAssertLessThan(maxDifference(full, joined), 1e-4)
        XCTAssertLessThan(maxDifference(gx, x.grad!), 1e-3)
        XCTAssertLessThan(maxDifference(gw, w.grad!), 1e-3)
    }

    private func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
    }
}
