import Basics
import Foundation
import NN
import Tensor
import XCTest
import Retrieval

/// The patch op and the contextual loss against PyTorch (scripts/reference/patch_reference.py)
/// and against finite differences.
final class ContextualLossTests: XCTestCase {
    private func fixtures() throws -> [String: Tensor] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "patch_loss", withExtension: "safetensors", subdirectory: "Fixtures"))
        return try SafeTensors.read(contentsOf: url)
    }

    private func assertClose(_ a: [Float], _ b: [Float], tolerance: Float, _ what: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let worst = zip(a, b).map { Swift.abs($0 - $1) / max(1, Swift.abs($1)) }.max() ?? 0
        XCTAssertLessThan(worst, tolerance, "\(what): worst relative difference \(worst)", file: file, line: line)
    }

    func testPatchesMatchTheAuthorsUnfoldLayoutAndGradient() throws {
        let f = try fixtures()
        let x = Tensor(shape: f["unfold.x"]!.shape, values: f["unfold.x"]!.scalars, requiresGrad: true)
        let patches = x.patches(size: 4, stride: 3)
        XCTAssertEqual(patches.shape, f["unfold.patches"]!.shape)
        assertClose(patches.scalars, f["unfold.patches"]!.scalars, tolerance: 1e-7, "patches")
        (patches * f["unfold.w"]!).sum().backward()
        assertClose(x.grad!.scalars, f["unfold.grad"]!.scalars, tolerance: 1e-5, "gradient")
    }

    func testPatchesGradientMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 4)
        let x = Tensor.randomUniform([2, 2, 7, 6], low: -1, high: 1, generator: &rng, requiresGrad: true)
        XCTAssertLessThan(GradientCheck.maxError([x]) { $0[0].patches(size: 3, stride: 2) }, 1e-4)
    }

    /// The fixture's batch loss rebuilt from Tensor.patches and ContextualLoss.loss.
    private func batchLoss(_ g: Tensor, _ f: [String: Tensor]) -> Tensor {
        let scales = [(4, 3), (2, 2)], weights = f["cx.weights"]!.scalars
        var total: Tensor?
        for (s, (p, stride)) in scales.enumerated() {
            let patches = g.patches(size: p, stride: stride)
            for b in 0..<g.shape[0] {
                let mine = patches.slice(axis: 0, b..<(b + 1)).reshaped([patches.shape[1], patches.shape[2]])
                let term = ContextualLoss.loss(generated: mine, real: f["cx.real\(s).\(b)"]!, mean: f["cx.mean\(s)"]!)
                    .scaled(weights[s])
                total = total.map { $0 + term } ?? term
            }
        }
        return total!.scaled(1 / Float(g.shape[0]))
    }

    func testContextualLossValueAndGradientMatchPyTorch() throws {
        let f = try fixtures()
        let g = Tensor(shape: f["cx.g"]!.shape, values: f["cx.g"]!.scalars, requiresGrad: true)
        let loss = batchLoss(g, f)
        XCTAssertEqual(loss.item, f["cx.loss"]!.item, accuracy: 1e-4 * max(1, Swift.abs(f["cx.loss"]!.item)))
        loss.backward()
        assertClose(g.grad!.scalars, f["cx.grad"]!.scalars, tolerance: 2e-4, "gradient w.r.t. the generated image")
    }

    func testContextualLossGradientMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 8)
        let generated = Tensor.randomUniform([9, 12], low: -1, high: 1, generator: &rng, requiresGrad: true)
        let real = Tensor.randomUniform([15, 12], low: -1, high: 1, generator: &rng)
        let mean = Tensor.randomUniform([12], low: -0.2, high: 0.2, generator: &rng)
        // Small steps: the relative distance divides by a row minimum that moves with the input.
        let error = GradientCheck.maxError([generated], epsilon: 1e-3) {
            ContextualLoss.loss(generated: $0[0], real: real, mean: mean, bandwidth: 0.5)
        }
        XCTAssertLessThan(error, 2e-3)
    }

    func testContextualLossIsZeroWhenEveryGeneratedPatchHasAnExactCopy() {
        var rng = SeededGenerator(seed: 2)
        let real = Tensor.randomUniform([6, 12], low: -1, high: 1, generator: &rng)
        let generated = Tensor(shape: [3, 12], values: Array(real.scalars[0..<36]))
        let loss = ContextualLoss.loss(generated: generated, real: real, mean: Tensor(zeros: [12]))
        XCTAssertEqual(loss.item, 0, accuracy: 1e-3)
    }

    func testAffinityRowsAreDistributionsPeakingAtTheNearestRealPatch() {
        var rng = SeededGenerator(seed: 6)
        let real = Tensor.randomUniform([10, 12], low: -1, high: 1, generator: &rng)
        let generated = Tensor.randomUniform([4, 12], low: -1, high: 1, generator: &rng)
        let mean = Tensor(zeros: [12])
        let aff = ContextualLoss.affinity(generated: generated, real: real, mean: mean)
        let dist = ContextualLoss.distances(generated: generated, real: real, mean: mean)
        for i in 0..<4 {
            let row = Array(aff.scalars[(i * 10)..<((i + 1) * 10)]), d = Array(dist.scalars[(i * 10)..<((i + 1) * 10)])
            XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-5)
            XCTAssertEqual(row.firstIndex(of: row.max()!), d.firstIndex(of: d.min()!))
        }
    }
}
