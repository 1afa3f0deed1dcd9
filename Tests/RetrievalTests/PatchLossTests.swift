import NN
import Foundation
import Tensor
import TestSupport
import XCTest
import Retrieval

/// PatchLoss assembles per-image, per-scale contextual losses the way the authors do.
final class PatchLossTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = TemporaryFolder.url("patchloss")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try MemoryBankTests.writeBank(MemoryBankTests.images(5, size: 20, seed: 21), size: 20,
                                      scales: [PatchScale(patch: 4, stride: 4), PatchScale(patch: 2, stride: 3, rescale: 0.5)],
                                      holdout: 0, to: folder)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private func flatLoss(weights: [Float]) throws -> PatchLoss {
        let bank = try MemoryBank(folder: folder)
        let indexes = try bank.scales.map { scale -> ANNIndex in
            let index = try ANNIndex(dimension: scale.scale.dimension, factory: "Flat")
            try index.add(try scale.patches.allFloats(), count: scale.patches.rows)
            return index
        }
        return try PatchLoss(bank: bank, indexes: indexes, weights: weights, k: 2)
    }

    func testBatchLossIsTheWeightedSumOverScalesAveragedOverImages() throws {
        let loss = try flatLoss(weights: [1, 0.25])
        let images = MemoryBankTests.images(2, size: 16, seed: 22)
        let batch = Tensor(shape: [2, 3, 16, 16], values: images.flatMap { $0 })
        var expected: Float = 0
        for b in 0..<2 {
            let single = Tensor(shape: [1, 3, 16, 16], values: images[b])
            for (s, weight) in [Float(1), 0.25].enumerated() {
                let scale = loss.scales[s]
                let pooled = try loss.retrieve(single, scale: s)[0].pooled
                let real = Tensor(shape: [pooled.count, scale.bank.scale.dimension],
                                  values: pooled.flatMap { Array(scale.bank.patches.row($0)) })
                let source = scale.bank.scale.rescale == 1 ? single : single.resizedBilinear(height: 8, width: 8)
                let patches = source.patches(size: scale.bank.scale.patch, stride: scale.bank.scale.stride)
                let term = ContextualLoss.loss(generated: patches.reshaped([-1, scale.bank.scale.dimension]), real: real,
                                               mean: Tensor(shape: [scale.bank.mean.count], values: scale.bank.mean))
                expected += weight * term.item
            }
        }
        XCTAssertEqual(try loss(batch).item, expected / 2, accuracy: 1e-5)
    }

    func testEachImagePoolsOnlyItsOwnPatchesNeighbours() throws {
        let loss = try flatLoss(weights: [1, 1])
        let images = MemoryBankTests.images(2, size: 16, seed: 23)
        let batch = try loss.retrieve(Tensor(shape: [2, 3, 16, 16], values: images.flatMap { $0 }), scale: 0)
        for b in 0..<2 {
            let alone = try loss.retrieve(Tensor(shape: [1, 3, 16, 16], values: images[b]), scale: 0)[0]
            XCTAssertEqual(batch[b].pooled, alone.pooled)
            XCTAssertEqual(batch[b].neighbors.labels, alone.neighbors.labels)
        }
    }

    func testMismatchedIndexesAreATypedError() throws {
        let bank = try MemoryBank(folder: folder)
        let wrong = try ANNIndex(dimension: 48, factory: "Flat")
        XCTAssertThrowsError(try PatchLoss(bank: bank, indexes: [wrong, wrong])) { XCTAssertTrue($0 is BankFileError) }
        XCTAssertThrowsError(try PatchLoss(bank: bank, indexes: [wrong])) { XCTAssertTrue($0 is BankFileError) }
    }
}
