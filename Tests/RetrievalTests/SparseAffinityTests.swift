import Foundation
import Tensor
import TestSupport
import XCTest
import Retrieval

/// With the exact index the sparse soft assignment (each image against the pooled neighbours of its
/// patches) is the dense one (against the whole bank) restricted to those entries.
final class SparseAffinityTests: XCTestCase {
    private var folder: URL!
    private var loss: PatchLoss!
    private var generated: Tensor!

    override func setUpWithError() throws {
        folder = TemporaryFolder.url("sparse")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let scale = PatchScale(patch: 4, stride: 4)
        try MemoryBankTests.writeBank(MemoryBankTests.images(6, size: 24, seed: 9), size: 24, scales: [scale], holdout: 0, to: folder)
        let bank = try MemoryBank(folder: folder)
        let index = try ANNIndex(dimension: scale.dimension, factory: "Flat")
        try index.add(try bank.scales[0].patches.allFloats(), count: bank.scales[0].patches.rows)
        loss = try PatchLoss(bank: bank, indexes: [index], k: 3)
        let image = MemoryBankTests.images(1, size: 16, seed: 10)[0]
        generated = Tensor(shape: [1, 3, 16, 16], values: image)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testFlatRetrievalReturnsTheExactNearestBankRows() throws {
        let retrieval = try loss.retrieve(generated, scale: 0)[0]
        let bank = loss.scales[0].bank.patches
        let patches = generated.patches(size: 4, stride: 4)
        for q in 0..<retrieval.neighbors.queryCount {
            let query = Array(patches.scalars[(q * 48)..<((q + 1) * 48)])
            let d2 = (0..<bank.rows).map { r in zip(query, bank.row(r)).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) }
            let best = (0..<bank.rows).sorted { d2[$0] < d2[$1] }.prefix(3)
            XCTAssertEqual(Set(retrieval.neighbors.labels(of: q)), Set(best), "patch \(q)")
        }
        XCTAssertEqual(retrieval.pooled, Array(Set(retrieval.neighbors.labels)).sorted())
    }

    func testSparseAffinityIsTheDenseOneRestrictedToThePooledEntries() throws {
        let retrieval = try loss.retrieve(generated, scale: 0)[0]
        let scale = loss.scales[0], bank = scale.bank.patches, u = bank.rows
        let all = Tensor(shape: [u, bank.columns], values: try bank.allFloats())
        let pooled = Tensor(shape: [retrieval.pooled.count, bank.columns],
                            values: retrieval.pooled.flatMap { Array(bank.row($0)) })
        let mean = Tensor(shape: [scale.bank.mean.count], values: scale.bank.mean)
        let patches = generated.patches(size: 4, stride: 4).reshaped([-1, bank.columns])
        let dense = ContextualLoss.distances(generated: patches, real: all, mean: mean)
        let sparseAffinity = ContextualLoss.affinity(generated: patches, real: pooled, mean: mean)
        let denseAffinity = ContextualLoss.affinity(generated: patches, real: all, mean: mean)
        let m = patches.shape[0], p = retrieval.pooled.count
        var rowsWithSharedMinimum = 0
        for i in 0..<m {
            let row = Array(dense.scalars[(i * u)..<((i + 1) * u)])
            let restricted = retrieval.pooled.map { row[$0] }
            // Same exponentials as the dense row over the pooled columns, normalised over those columns.
            let lowest = restricted.min()!
            let kernel = restricted.map { expf(1 - $0 / (lowest + ContextualLoss.epsilon)) }
            let total = kernel.reduce(0, +)
            for j in 0..<p {
                XCTAssertEqual(sparseAffinity.scalars[i * p + j], kernel[j] / total, accuracy: 1e-5)
            }
            // Where the row's closest real patch was retrieved, the dense affinities over the pool,
            // renormalised, are the sparse ones.
            guard row.min()! == lowest else { continue }
            rowsWithSharedMinimum += 1
            let denseRow = retrieval.pooled.map { denseAffinity.scalars[i * u + $0] }
            let mass = denseRow.reduce(0, +)
            for j in 0..<p {
                XCTAssertEqual(sparseAffinity.scalars[i * p + j], denseRow[j] / mass, accuracy: 1e-4)
            }
        }
        XCTAssertGreaterThan(rowsWithSharedMinimum, m / 2)
    }

    func testLossGradientReachesTheGeneratedImage() throws {
        let g = Tensor(shape: generated.shape, values: generated.scalars, requiresGrad: true)
        let value = try loss(g)
        XCTAssertTrue(value.item.isFinite && value.item >= 0)
        value.backward()
        XCTAssertGreaterThan(g.grad!.scalars.map { Swift.abs($0) }.max()!, 0)
    }
}
