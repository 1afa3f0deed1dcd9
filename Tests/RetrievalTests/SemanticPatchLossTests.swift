import Basics
import Foundation
import NN
import Tensor
import XCTest
import Retrieval

/// The semantic patch loss (a bank per class): its per-class terms against PyTorch
/// (scripts/reference/semantic_patch_reference.py) and finite differences, the half rule that
/// assigns patches to classes, and retrieval that stays inside each class's bank.
final class SemanticPatchLossTests: XCTestCase {
    private func assertClose(_ a: [Float], _ b: [Float], tolerance: Float, _ what: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let worst = zip(a, b).map { Swift.abs($0 - $1) / max(1, Swift.abs($1)) }.max() ?? 0
        XCTAssertLessThan(worst, tolerance, "\(what): worst relative difference \(worst)", file: file, line: line)
    }

    /// The fixture's loss from Tensor.patches and PatchLoss.imageTerm, with the fixture's classes and pools.
    private func fixtureLoss(_ g: Tensor, _ f: [String: Tensor]) -> Tensor {
        let scales = [(4, 3), (2, 2)], weights = f["sem.weights"]!.scalars
        var total: Tensor?
        for (s, (p, stride)) in scales.enumerated() {
            let patches = g.patches(size: p, stride: stride)
            let l = patches.shape[1]
            let classes = f["sem.classes\(s)"]!.scalars.map { Int($0) }
            for b in 0..<g.shape[0] {
                let mine = patches.slice(axis: 0, b..<(b + 1)).reshaped([l, patches.shape[2]])
                let own = Array(classes[(b * l)..<((b + 1) * l)])
                let groups = Set(own).sorted().map { c in
                    (positions: own.indices.filter { own[$0] == c }, real: f["sem.real\(s).\(b).\(c)"]!, mean: f["sem.mean\(s).\(c)"]!)
                }
                let term = PatchLoss.imageTerm(mine, groups: groups, weight: weights[s])
                total = total.map { $0 + term } ?? term
            }
        }
        return total!.scaled(1 / Float(g.shape[0]))
    }

    func testPerClassLossValueAndGradientMatchPyTorch() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "semantic_patch_loss", withExtension: "safetensors", subdirectory: "Fixtures"))
        let f = try SafeTensors.read(contentsOf: url)
        let g = Tensor(shape: f["sem.g"]!.shape, values: f["sem.g"]!.scalars, requiresGrad: true)
        let loss = fixtureLoss(g, f)
        XCTAssertEqual(loss.item, f["sem.loss"]!.item, accuracy: 1e-4 * max(1, Swift.abs(f["sem.loss"]!.item)))
        loss.backward()
        assertClose(g.grad!.scalars, f["sem.grad"]!.scalars, tolerance: 2e-4, "gradient w.r.t. the generated image")
    }

    func testPerClassTermGradientMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 31)
        let patches = Tensor.randomUniform([8, 12], low: -1, high: 1, generator: &rng, requiresGrad: true)
        let groups = [[0, 3, 4], [1, 2, 5, 6, 7]].map { positions in
            (positions: positions, real: Tensor.randomUniform([6 + positions.count, 12], low: -1, high: 1, generator: &rng),
             mean: Tensor.randomUniform([12], low: -0.2, high: 0.2, generator: &rng))
        }
        let error = GradientCheck.maxError([patches], epsilon: 1e-3) { PatchLoss.imageTerm($0[0], groups: groups, weight: 0.7) }
        XCTAssertLessThan(error, 2e-3)
    }

    func testOneBankServingEveryPatchIsTheSingleBankLoss() {
        var rng = SeededGenerator(seed: 32)
        let patches = Tensor.randomUniform([7, 12], low: -1, high: 1, generator: &rng)
        let real = Tensor.randomUniform([9, 12], low: -1, high: 1, generator: &rng)
        let mean = Tensor.randomUniform([12], low: -0.2, high: 0.2, generator: &rng)
        let term = PatchLoss.imageTerm(patches, groups: [(Array(0..<7), real, mean)], weight: 0.5)
        XCTAssertEqual(term.item, 0.5 * ContextualLoss.loss(generated: patches, real: real, mean: mean).item, accuracy: 1e-6)
    }

    // MARK: The half rule

    private func map(_ rows: [[UInt8]]) -> LabelMap {
        LabelMap(width: rows[0].count, height: rows.count, labels: rows.flatMap { $0 })
    }

    func testAPatchBelongsToTheClassOfAtLeastHalfItsPixels() {
        // 2×2 patches, stride 2: [3 of 4 sky] [2 sky, 2 water: a tie of named classes → the smaller id]
        // [2 water, 2 other → water] [1 each of four classes → 0]
        let m = map([[1, 1, 1, 4, 4, 0, 2, 3],
                     [1, 6, 1, 4, 4, 0, 5, 6]])
        XCTAssertEqual(PatchClassRule.classes(of: m, scale: PatchScale(patch: 2, stride: 2)), [1, 1, 4, 0])
    }

    func testBelowHalfFallsToClassZero() {
        // 3×3 patch: 4 of 9 pixels sky, the rest split → class 0.
        let m = map([[1, 1, 2], [1, 1, 2], [3, 3, 4]])
        XCTAssertEqual(PatchClassRule.classes(of: m, scale: PatchScale(patch: 3, stride: 1)), [0])
        let five = map([[1, 1, 1], [1, 1, 2], [3, 3, 4]])
        XCTAssertEqual(PatchClassRule.classes(of: five, scale: PatchScale(patch: 3, stride: 1)), [1])
    }

    func testPositionsFollowTheBoundaryRowMajor() {
        // Sky above row 4, water below; 4×4 patches at stride 2 on 8×8: rows of positions at y = 0, 2, 4.
        let m = LabelMap(width: 8, height: 8, labels: (0..<64).map { $0 / 8 < 4 ? 1 : 4 })
        let classes = PatchClassRule.classes(of: m, scale: PatchScale(patch: 4, stride: 2))
        XCTAssertEqual(classes.count, 9)
        // y = 2 straddles the boundary at exactly half: sky (smaller id) wins the tie.
        XCTAssertEqual(classes, [1, 1, 1, 1, 1, 1, 4, 4, 4])
    }

    func testRescaledScalesRescaleTheMaskWithTheImage() {
        let m = LabelMap(width: 8, height: 8, labels: (0..<64).map { $0 % 8 < 4 ? 5 : 6 })
        let classes = PatchClassRule.classes(of: m, scale: PatchScale(patch: 2, stride: 2, rescale: 0.5), width: 8, height: 8)
        XCTAssertEqual(classes, [5, 6, 5, 6])
    }
}
