import Basics
import Foundation
import NN
import Tensor
@testable import Retrieval
import XCTest

/// `ClassTerms.authors`: the semantic patch loss as aimagelab/art2real's `compute_contextual` computes
/// it, against a PyTorch reference written from reading it (scripts/reference/authors_semantic_reference.py:
/// overlapping masks, exact half/half patches, a patch in no class, a class the bank lacks, a painting
/// with no masks, three scales, a batch of 2; exact Flat searches without ties on both sides), finite
/// differences, and the membership rule.
final class AuthorsSemanticLossTests: XCTestCase {
    private var folder: URL!
    static let size = 12
    static let scales = [PatchScale(patch: 4, stride: 4), PatchScale(patch: 2, stride: 2), PatchScale(patch: 6, stride: 3)]

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("authors-loss-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// A bank folder holding `rows` (8-bit) at `scale`, with `stored` as the stored mean.
    static func writeBank(rows: [UInt8], scale: PatchScale, stored: [Float]?, to folder: URL) throws -> MemoryBank {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let d = scale.dimension, n = rows.count / d
        let entry = MemoryBankManifest.Scale(scale: scale, patches: n, holdout: 0, candidates: n, shardRows: [n])
        try NpyFile.write(rows, rows: n, columns: d, to: folder.appendingPathComponent(entry.shardFile(0)))
        try NpyFile.write([Int32](repeating: -1, count: 3 * n), rows: n, columns: 3, to: folder.appendingPathComponent(entry.shardLocationsFile(0)))
        let mean = (0..<d).map { j in (0..<n).reduce(Float(0)) { $0 + PatchMatrix.value(rows[$1 * d + j]) } / Float(n) }
        try NpyFile.write(mean, rows: 1, columns: d, to: folder.appendingPathComponent(entry.meanFile))
        if let stored { try NpyFile.write(stored, rows: 1, columns: d, to: folder.appendingPathComponent(entry.storedMeanFile)) }
        try MemoryBankManifest(images: [], scales: [entry], seed: 0, cap: nil,
                               selection: PatchSelection(expected: [n], holdout: 0, cap: nil, seed: 0)).write(to: folder)
        return try MemoryBank(folder: folder)
    }

    /// The fixture's class banks (Flat indexes) as an authors' loss with k = 3.
    private func fixtureLoss(_ f: [String: Tensor], terms: ClassTerms = .authors) throws -> PatchLoss {
        let banks = try [0, 1, 2, 3].map { c -> PatchLoss.ClassBanks in
            let scales = try Self.scales.enumerated().map { s, scale -> PatchLoss.Scale? in
                guard let rows = f["bank\(s).\(c)"] else { return nil }
                let bank = try Self.writeBank(rows: rows.scalars.map { UInt8($0) }, scale: scale, stored: f["mean\(s).\(c)"]!.scalars,
                                              to: folder.appendingPathComponent("c\(c)s\(s)"))
                let index = try ANNIndex(dimension: scale.dimension, factory: "Flat")
                try index.add(try bank.scales[0].patches.allFloats(), count: bank.scales[0].patches.rows)
                return try PatchLoss.scales(of: bank, indexes: [index], weights: [1], threads: 1, blasScan: true, shortlist: 128)[0]
            }
            return PatchLoss.ClassBanks(id: c, name: "class\(c)", scales: scales)
        }
        return PatchLoss(classBanks: banks, semantic: true, classTerms: terms, k: 3)
    }

    private func fixtureMasks(_ f: [String: Tensor]) -> [ClassMasks] {
        var entries: [ClassMasks.Entry] = []
        while let m = f["mask.\(entries.count)"] {
            entries.append(ClassMasks.Entry(id: Int(f["mask.\(entries.count).id"]!.item), pixels: m.scalars.map { UInt8($0) }))
        }
        return [ClassMasks(width: Self.size, height: Self.size, entries: entries), .background(width: Self.size, height: Self.size)]
    }

    private func fixture() throws -> [String: Tensor] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "authors_semantic_loss", withExtension: "safetensors", subdirectory: "Fixtures"))
        return try SafeTensors.read(contentsOf: url)
    }

    func testAuthorsLossValueAndGradientMatchPyTorch() throws {
        let f = try fixture()
        let loss = try fixtureLoss(f)
        let g = Tensor(shape: f["g"]!.shape, values: f["g"]!.scalars, requiresGrad: true)
        let value = try loss(g, classMasks: fixtureMasks(f))
        let expected = f["loss"]!.item
        XCTAssertLessThan(Swift.abs(value.item - expected) / Swift.abs(expected), 1e-5, "loss \(value.item) against PyTorch \(expected)")
        value.backward()
        let grad = g.grad!.scalars, reference = f["grad"]!.scalars
        let scale = reference.map { Swift.abs($0) }.max()!
        let worst = zip(grad, reference).map { Swift.abs($0 - $1) / scale }.max()!
        XCTAssertLessThan(worst, 1e-4, "gradient: worst difference \(worst) relative to the largest component \(scale)")
    }

    func testAuthorsLossIsNotTheSharesLoss() throws {
        // The same fixture under PleinAir's rule: masks that overlap are refused, and without the
        // overlapping class the two rules give different numbers.
        let f = try fixture()
        let shares = try fixtureLoss(f, terms: .shares)
        let g = Tensor(shape: f["g"]!.shape, values: f["g"]!.scalars)
        XCTAssertThrowsError(try shares(g, classMasks: fixtureMasks(f)))
        var masks = fixtureMasks(f)
        masks[0].entries.remove(at: 1)
        let authors = try fixtureLoss(f)
        XCTAssertGreaterThan(Swift.abs(try authors(g, classMasks: masks).item - shares(g, classMasks: masks).item), 1e-3)
    }

    func testAuthorsLossGradientMatchesFiniteDifferences() throws {
        let f = try fixture()
        let loss = try fixtureLoss(f)
        let masks = fixtureMasks(f)
        var rng = SeededGenerator(seed: 41)
        // A small perturbation of the fixture keeps every neighbour set (the k-th gaps are ≥ 1e-3).
        let g = Tensor(shape: f["g"]!.shape, values: f["g"]!.scalars.map { $0 + Float.random(in: -1e-4...1e-4, using: &rng) },
                       requiresGrad: true)
        let error = GradientCheck.maxError([g], epsilon: 1e-3) { inputs in try! loss(inputs[0], classMasks: masks) }
        XCTAssertLessThan(error, 5e-3)
    }

    // MARK: Membership

    private func masks(_ width: Int, _ height: Int, _ entries: [(Int, [UInt8])]) -> ClassMasks {
        ClassMasks(width: width, height: height, entries: entries.map { ClassMasks.Entry(id: $0.0, pixels: $0.1) })
    }

    func testAPatchJoinsEveryClassCoveringHalfOfItAndNoneOtherwise() {
        // 4×2 image, 2×2 patches at stride 2: two positions.
        let a: [UInt8] = [1, 1, 0, 0,
                          0, 0, 0, 0]  // half of patch 0
        let b: [UInt8] = [1, 1, 1, 0,
                          1, 1, 0, 0]  // all of patch 0 (overlapping a), a quarter of patch 1... plus one
        let c: [UInt8] = [0, 0, 0, 1,
                          0, 0, 0, 0]
        let members = PatchClassMembership.members(of: masks(4, 2, [(1, a), (2, b), (3, c)]), scale: PatchScale(patch: 2, stride: 2))
        // Patch 1: b covers 1 pixel, c 1, no mask 2 (half): class 0 only. Patch 0: 1 (half) and 2.
        XCTAssertEqual(members, [.init(id: 1, positions: [0]), .init(id: 2, positions: [0]), .init(id: 0, positions: [1])])
        // A patch a quarter in each of four classes joins none.
        let quarters = (1...4).map { k in (k, (0..<4).map { UInt8($0 == k - 1 ? 1 : 0) }) }
        XCTAssertEqual(PatchClassMembership.members(of: masks(2, 2, quarters), scale: PatchScale(patch: 2, stride: 2)), [])
    }

    func testNoMasksIsClassZeroEverywhereAndALabelMapIsDisjointMasks() {
        let scale = PatchScale(patch: 2, stride: 1)
        XCTAssertEqual(PatchClassMembership.members(of: .background(width: 3, height: 3), scale: scale),
                       [.init(id: 0, positions: [0, 1, 2, 3])])
        let map = LabelMap(width: 3, height: 2, labels: [0, 5, 5, 0, 0, 9])
        let m = ClassMasks(map)
        XCTAssertEqual(m.entries.map(\.id), [5, 9])
        XCTAssertFalse(m.overlaps)
        XCTAssertEqual(m.labelMap, map)
        // Positions 0 (1 of 4 is class 5, 3 of 4 in no mask) and 1 (two of 5, one of 9, one of none).
        XCTAssertEqual(PatchClassMembership.members(of: m, scale: scale), [.init(id: 5, positions: [1]), .init(id: 0, positions: [0])])
    }

    func testAClassNamedTwiceCountsAPatchInBothMasksTwice() {
        let all = [UInt8](repeating: 1, count: 4)
        XCTAssertEqual(PatchClassMembership.members(of: masks(2, 2, [(4, all), (4, all)]), scale: PatchScale(patch: 2, stride: 2)),
                       [.init(id: 4, positions: [0, 0])])
    }

    func testMasksFollowTheImageThroughResizeCropAndFlip() {
        let m = masks(2, 1, [(1, [1, 0]), (2, [1, 1])])
        XCTAssertEqual(m.resized(width: 4, height: 2).entries[0].pixels, [1, 1, 0, 0, 1, 1, 0, 0])
        XCTAssertEqual(m.flippedHorizontally().entries[0].pixels, [0, 1])
        XCTAssertEqual(m.cropped(x: 1, y: 0, width: 1, height: 1).entries.map(\.pixels), [[0], [1]])
        XCTAssertTrue(m.overlaps)
        XCTAssertNil(m.labelMap)
        XCTAssertEqual(m.uncovered, [0, 0])
    }
}
