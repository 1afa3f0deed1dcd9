import NN
import Basics
import Foundation
import Tensor
@testable import Retrieval
import TestSupport
import XCTest

/// Paper-scale retrieval on small banks: the 8-bit bank path against the float path it replaces,
/// compressed (PQ) indexes re-ranked from the bank, and index builds that resume.
final class CompressedIndexTests: XCTestCase {
    private var folder: URL!
    private var images: [[Float]]!
    private let size = 24

    override func setUpWithError() throws {
        folder = TemporaryFolder.url("compressed")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        images = MemoryBankTests.images(24, size: size, seed: 51)
        try MemoryBankTests.writeBank(images, size: size, scales: [PatchScale(patch: 4, stride: 2)], holdout: 200, imagesPerShard: 5,
                                      to: folder)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// The bank's rows as the float32 path had them: cut from the float images at the recorded positions.
    private func floatRows(_ scale: MemoryBank.Scale) -> [Float] {
        var out = [Float](repeating: 0, count: scale.patches.rows * 48)
        for row in 0..<scale.patches.rows {
            let (i, x, y) = scale.location(of: row)
            images[i].withUnsafeBufferPointer { image in
                out.withUnsafeMutableBufferPointer {
                    PatchCutter.copy(image.baseAddress!, width: size, height: size, channels: 3, patch: 4, x: x, y: y,
                                     into: $0.baseAddress! + row * 48)
                }
            }
        }
        return out
    }

    func testEightBitBankGivesTheFloatPathsNeighboursLossAndGradientExactly() throws {
        let bank = try MemoryBank(folder: folder), scale = bank.scales[0]
        let reference = floatRows(scale)
        XCTAssertEqual(try scale.patches.allFloats(), reference, "bit-exact rows")
        // The float32 path: a FAISS Flat index over the float rows, pooled rows gathered from them.
        let floatIndex = try ANNIndex(dimension: 48, factory: "Flat")
        try floatIndex.add(reference, count: scale.patches.rows)
        let bankIndex = try ANNIndex(dimension: 48, factory: "Flat")
        try bankIndex.add(try scale.patches.allFloats(), count: scale.patches.rows)
        let loss = try PatchLoss(bank: bank, indexes: [bankIndex], k: 3, blasScan: false)
        let generated = Tensor(shape: [1, 3, 16, 16], values: MemoryBankTests.images(1, size: 16, seed: 52)[0].map { $0 * 0.9 })
        let queries = generated.patches(size: 4, stride: 2)
        let expectedNeighbours = try floatIndex.search(queries.pointer, count: queries.shape[1], k: 3)
        let retrieval = try loss.retrieve(generated, scale: 0)[0]
        XCTAssertEqual(retrieval.neighbors, expectedNeighbours)
        // Loss and gradient of the 8-bit path equal the float path's, bit for bit.
        let leaf = Tensor(shape: generated.shape, values: generated.scalars, requiresGrad: true)
        let ours = try loss(leaf)
        ours.backward()
        let pooled = retrieval.pooled
        let real = Tensor(shape: [pooled.count, 48], values: pooled.flatMap { Array(reference[($0 * 48)..<(($0 + 1) * 48)]) })
        let meanRows = (0..<48).map { c in (0..<scale.patches.rows).reduce(0.0) { $0 + Double(reference[$1 * 48 + c]) } }
        XCTAssertEqual(scale.mean.enumerated().map { Double($1) - meanRows[$0] / Double(scale.patches.rows) }.map(abs).max()!, 0,
                       accuracy: 1e-6)
        let referenceLeaf = Tensor(shape: generated.shape, values: generated.scalars, requiresGrad: true)
        let theirs = ContextualLoss.loss(generated: referenceLeaf.patches(size: 4, stride: 2).reshaped([-1, 48]), real: real,
                                         mean: Tensor(shape: [48], values: scale.mean))
        theirs.backward()
        XCTAssertEqual(ours.item, theirs.item)
        XCTAssertEqual(leaf.grad!.scalars, referenceLeaf.grad!.scalars)
    }

    func testRerankingAPQShortlistFromTheBankIsExactWhenTheShortlistCoversTheProbedLists() throws {
        let bank = try MemoryBank(folder: folder), scale = bank.scales[0]
        let floats = try scale.patches.allFloats()
        let pq = try ANNIndex(dimension: 48, factory: "IVF8,PQ6np")
        try pq.train(floats, count: scale.patches.rows)
        try pq.add(floats, count: scale.patches.rows)
        XCTAssertEqual(pq.codeSize, 6)
        XCTAssertFalse(pq.isInvertedFlat)
        let queries = try bank.holdout(0).allFloats(), n = queries.count / 48
        let truth = try ExactScan(bank: scale.patches).search(queries, count: n, k: 5)
        // Every list probed and every candidate re-ranked: exact search.
        try pq.setParameter("nprobe", 8)
        let everything = RerankedSearch(index: pq, bank: scale.patches, shortlist: scale.patches.rows)
        let all = try everything.search(queries, count: n, k: 5)
        let full = RetrievalRecall.measure(approximate: all, exact: truth)
        XCTAssertEqual(full.atOne, 1)
        XCTAssertEqual(full.atK, 1)
        // PQ distances alone miss neighbours that re-ranking a short list recovers.
        try pq.setParameter("nprobe", 4)
        let plain = RetrievalRecall.measure(approximate: try pq.search(queries, count: n, k: 5), exact: truth)
        let reranked = RetrievalRecall.measure(approximate: try RerankedSearch(index: pq, bank: scale.patches, shortlist: 64)
                                                   .search(queries, count: n, k: 5), exact: truth)
        XCTAssertGreaterThan(reranked.atOne, plain.atOne)
        XCTAssertGreaterThanOrEqual(reranked.atOne, 0.9)
        // The loss picks the re-ranking search for compressed indexes.
        XCTAssertTrue(try PatchLoss(bank: bank, indexes: [pq], shortlist: 32).scales[0].scan is RerankedSearch)
    }

    func testRerankingFromRowsReadOnceGivesEachQuerysRankingBitForBit() throws {
        let bank = try MemoryBank(folder: folder), scale = bank.scales[0]
        let floats = try scale.patches.allFloats()
        let pq = try ANNIndex(dimension: 48, factory: "IVF8,PQ6np")
        try pq.train(floats, count: scale.patches.rows)
        try pq.add(floats, count: scale.patches.rows)
        try pq.setParameter("nprobe", 4)
        // Neighbouring queries share candidates: each query twice, and the holdout's own patches.
        let holdout = try bank.holdout(0).allFloats()
        let queries = holdout + holdout, n = queries.count / 48, shortlist = 40
        let ours = try RerankedSearch(index: pq, bank: scale.patches, shortlist: shortlist).search(queries, count: n, k: 5)
        // The reference: each query's shortlist re-ranked from rows read one by one, in shortlist order.
        let candidates = try pq.search(queries, count: n, k: shortlist)
        for q in 0..<n {
            var reference: [(Float, Int)] = []
            for id in candidates.labels[(q * shortlist)..<((q + 1) * shortlist)] where id >= 0 {
                let row = scale.patches.row(id)
                var s: Float = 0
                for i in 0..<48 { let e = queries[q * 48 + i] - row[i]; s += e * e }
                // Stable: equal distances keep shortlist order, as the search's list does.
                let at = reference.firstIndex { $0.0 > s } ?? reference.count
                reference.insert((s, id), at: at)
            }
            XCTAssertEqual(Array(ours.labels[(q * 5)..<(q * 5 + 5)]), reference.prefix(5).map(\.1), "query \(q)")
            XCTAssertEqual(Array(ours.distances[(q * 5)..<(q * 5 + 5)]).map(\.bitPattern), reference.prefix(5).map(\.0.bitPattern),
                           "query \(q)")
        }
    }

    func testAnInterruptedIndexBuildResumesFromItsCheckpoint() throws {
        let scale = try MemoryBank(folder: folder).scales[0]
        let work = folder.appendingPathComponent("index-work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let builder = PatchIndexBuilder(factory: "IVF8,PQ6np", trainSize: 2000, seed: 3, threads: 1, batchRows: 500, checkpointSeconds: 0)
        struct Killed: Error {}
        var batches = 0
        XCTAssertThrowsError(try builder.build(scale.patches, name: "s", work: work, checkpoint: {
            batches += 1
            if batches == 4 { throw Killed() }
        })) { XCTAssertTrue($0 is Killed) }
        let (resumed, report) = try builder.build(scale.patches, name: "s", work: work)
        XCTAssertEqual(report.resumedRows, 1500)
        XCTAssertEqual(report.trainedRows, 0, "the trained index was kept")
        XCTAssertEqual(resumed.count, scale.patches.rows)
        let fresh = folder.appendingPathComponent("fresh-work")
        try FileManager.default.createDirectory(at: fresh, withIntermediateDirectories: true)
        let (uninterrupted, _) = try builder.build(scale.patches, name: "s", work: fresh)
        let queries = try MemoryBank(folder: folder).holdout(0).allFloats()
        XCTAssertEqual(try resumed.search(queries, count: queries.count / 48, k: 5),
                       try uninterrupted.search(queries, count: queries.count / 48, k: 5))
    }

    func testTheAutoRecipeCompressesOnlyBanksTooLargeForFloats() {
        // The paper's monet2photo banks (6,287 photos at 256², scales 16/6, 8/5, 4/4).
        XCTAssertEqual(PatchIndexRecipe.factory(rows: 10_569_000, dimension: 768), "PCAR64,IVF4096,PQ16np")
        XCTAssertEqual(PatchIndexRecipe.factory(rows: 15_717_000, dimension: 192), "PCAR64,IVF4096,PQ16np")
        XCTAssertEqual(PatchIndexRecipe.factory(rows: 25_755_000, dimension: 48), "IVF4096,PQ6np")
        // The demo's: 120 photos at 64².
        XCTAssertEqual(PatchIndexRecipe.factory(rows: 9720, dimension: 768), "IVF128,Flat")
        XCTAssertEqual(PatchIndexRecipe.factory(rows: 30_720, dimension: 48), "IVF256,Flat")
        XCTAssertEqual(PatchIndexRecipe.factory(rows: 100, dimension: 48), "IVF2,Flat")
        XCTAssertEqual(PatchIndexRecipe.factory(rows: 8_000_000, dimension: 60), "IVF4096,PQ6np", "PQ needs whole sub-vectors")
    }
}
