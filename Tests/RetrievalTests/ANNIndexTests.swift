import NN
import Basics
import Foundation
import Tensor
import TestSupport
import XCTest
import Retrieval

final class ANNIndexTests: XCTestCase {
    /// Clustered vectors, so an IVF index has structure to find.
    private func clustered(_ n: Int, dimension d: Int, clusters: Int = 32, seed: UInt64 = 3) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        let centres = (0..<(clusters * d)).map { _ in rng.nextNormal() }
        var out = [Float](repeating: 0, count: n * d)
        for i in 0..<n {
            let c = Int(rng.next() % UInt64(clusters))
            for j in 0..<d { out[i * d + j] = centres[c * d + j] + 0.3 * rng.nextNormal() }
        }
        return out
    }

    func testFlatIndexFindsEachStoredVectorAsItsOwnNearestNeighbour() throws {
        let d = 12, n = 500
        let data = clustered(n, dimension: d)
        let index = try ANNIndex(dimension: d, factory: "Flat")
        try index.add(data, count: n)
        XCTAssertEqual(index.count, n)
        XCTAssertEqual(index.dimension, d)
        let result = try index.search(data, count: n, k: 3)
        for q in 0..<n { XCTAssertEqual(result.labels[q * 3], q) }
        XCTAssertEqual(result.distances[0], 0, accuracy: 1e-4)
    }

    func testIVFIndexReachesHighRecallAgainstExactSearch() throws {
        let d = 16, n = 20_000, queries = 500
        let data = clustered(n + queries, dimension: d)
        let base = Array(data[..<(n * d)]), held = Array(data[(n * d)...])
        let ivf = try ANNIndex(dimension: d, factory: "IVF64,Flat")
        XCTAssertFalse(ivf.isTrained)
        try ivf.train(base, count: n)
        try ivf.add(base, count: n)
        XCTAssertEqual(ivf.invertedLists, 64)
        try ivf.setParameter("nprobe", 8)
        let exact = try ANNIndex(dimension: d, factory: "Flat")
        try exact.add(base, count: n)
        let recall = RetrievalRecall.measure(approximate: try ivf.search(held, count: queries, k: 5),
                                             exact: try exact.search(held, count: queries, k: 5))
        XCTAssertGreaterThanOrEqual(recall.atOne, 0.95)
        XCTAssertGreaterThanOrEqual(recall.atK, 0.9)
    }

    func testIndexWrittenToAFileSearchesTheSameAfterReading() throws {
        let d = 8, n = 2000
        let data = clustered(n, dimension: d)
        let index = try ANNIndex(dimension: d, factory: "IVF16,Flat")
        try index.train(data, count: n)
        try index.add(data, count: n)
        try index.setParameter("nprobe", 4)
        let url = TemporaryFolder.url("ann", extension: "faiss")
        defer { try? FileManager.default.removeItem(at: url) }
        try index.write(to: url)
        let back = try ANNIndex.read(from: url)
        XCTAssertEqual(back.count, n)
        XCTAssertEqual(try back.search(data, count: 50, k: 4), try index.search(data, count: 50, k: 4))
    }

    func testUnknownFactoryStringIsATypedErrorNotACrash() {
        XCTAssertThrowsError(try ANNIndex(dimension: 8, factory: "NoSuchIndex42")) { error in
            guard let faiss = error as? FaissError else { return XCTFail("expected FaissError, got \(error)") }
            XCTAssertTrue(faiss.operation.contains("NoSuchIndex42"))
            XCTAssertFalse(faiss.message.isEmpty)
        }
    }

    func testTrainingMoreListsThanVectorsIsATypedError() throws {
        let index = try ANNIndex(dimension: 4, factory: "IVF64,Flat")
        let few = [Float](repeating: 0.5, count: 4 * 10)
        XCTAssertThrowsError(try index.train(few, count: 10)) { XCTAssertTrue($0 is FaissError) }
    }

    func testReadingAMissingFileIsATypedError() {
        XCTAssertThrowsError(try ANNIndex.read(from: URL(fileURLWithPath: "/nonexistent/x.faiss"))) {
            XCTAssertTrue($0 is FaissError)
        }
    }

    func testRecallCountsEqualDistanceTiesAsFound() {
        let exact = Neighbors(k: 2, labels: [1, 2], distances: [0.5, 0.7])
        let tie = Neighbors(k: 2, labels: [9, 2], distances: [0.5, 0.7])
        let miss = Neighbors(k: 2, labels: [3, 4], distances: [0.8, 0.9])
        XCTAssertEqual(RetrievalRecall.measure(approximate: tie, exact: exact).atOne, 1)
        XCTAssertEqual(RetrievalRecall.measure(approximate: tie, exact: exact).atK, 1)
        XCTAssertEqual(RetrievalRecall.measure(approximate: miss, exact: exact).atOne, 0)
        XCTAssertEqual(RetrievalRecall.measure(approximate: miss, exact: exact).atK, 0)
    }
}

/// The sgemm list scan returns FAISS's own IVF neighbours.
final class InvertedFileScanTests: XCTestCase {
    func testScanFindsTheSameNeighboursAsFAISSsIVFSearch() throws {
        let folder = TemporaryFolder.url("scan")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try MemoryBankTests.writeBank(MemoryBankTests.images(20, size: 24, seed: 31), size: 24, scales: [PatchScale(patch: 4, stride: 2)],
                                      holdout: 0, to: folder)
        let bank = try MemoryBank(folder: folder).scales[0].patches, floats = try bank.allFloats()
        let index = try ANNIndex(dimension: 48, factory: "IVF32,Flat")
        try index.train(floats, count: bank.rows)
        try index.add(floats, count: bank.rows)
        try index.setParameter("nprobe", 3)
        let scan = try InvertedFileScan(index: index, bank: bank)
        XCTAssertEqual(scan.nprobe, 3)
        let queries = MemoryBankTests.images(1, size: 24, seed: 32)[0]
        let n = queries.count / 48
        let faiss = try index.search(queries, count: n, k: 4)
        let ours = try scan.search(queries, count: n, k: 4)
        var same = 0
        for q in 0..<n where Set(faiss.labels(of: q)) == Set(ours.labels(of: q)) { same += 1 }
        XCTAssertGreaterThanOrEqual(Double(same) / Double(n), 0.99, "\(same) of \(n) queries agree")
        for i in 0..<(n * 4) { XCTAssertEqual(ours.distances[i], faiss.distances[i], accuracy: 1e-3 * max(1, faiss.distances[i])) }
    }

    func testIndexesThatAreNotPlainIVFAreRefused() throws {
        let index = try ANNIndex(dimension: 4, factory: "Flat")
        let bank = TemporaryFolder.url("flat", extension: "npy")
        defer { try? FileManager.default.removeItem(at: bank) }
        try NpyFile.write([UInt8](repeating: 0, count: 8), rows: 2, columns: 4, to: bank)
        XCTAssertThrowsError(try InvertedFileScan(index: index, bank: PatchMatrix(try ShardedMatrix<UInt8>(files: [bank], columns: 4)))) {
            XCTAssertTrue($0 is FaissError)
        }
    }
}

final class ExactScanTests: XCTestCase {
    func testScanFindsTheSameNeighboursAsFAISSsFlatSearchAndLossesUseIt() throws {
        let folder = TemporaryFolder.url("exact")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try MemoryBankTests.writeBank(MemoryBankTests.images(20, size: 24, seed: 41), size: 24, scales: [PatchScale(patch: 4, stride: 2)],
                                      holdout: 0, to: folder)
        let memoryBank = try MemoryBank(folder: folder), bank = memoryBank.scales[0].patches
        let index = try ANNIndex(dimension: 48, factory: "Flat")
        try index.add(try bank.allFloats(), count: bank.rows)
        XCTAssertTrue(index.isExactL2)
        XCTAssertFalse(try ANNIndex(dimension: 48, factory: "IVF4,Flat").isExactL2)
        XCTAssertFalse(try ANNIndex(dimension: 48, factory: "Flat", metric: .innerProduct).isExactL2)
        // 1452 queries: the 2420 bank rows are scanned in several blocks, each with a scalar tail.
        let queries = MemoryBankTests.images(12, size: 24, seed: 42).flatMap { $0 }
        let n = queries.count / 48
        let scan = try ExactScan(bank: bank), streamed = try ExactScan(bank: bank, cacheBytes: 0)
        for k in [1, 5] {
            let faiss = try index.search(queries, count: n, k: k)
            let ours = try scan.search(queries, count: n, k: k)
            let fromDisk = try streamed.search(queries, count: n, k: k)
            for i in 0..<(n * k) { XCTAssertEqual(fromDisk.distances[i], ours.distances[i], accuracy: 1e-4 * max(1, ours.distances[i])) }
            var same = 0
            for q in 0..<n where Set(faiss.labels(of: q)) == Set(ours.labels(of: q)) { same += 1 }
            XCTAssertGreaterThanOrEqual(Double(same) / Double(n), 0.99, "k \(k): \(same) of \(n) queries agree")
            for i in 0..<(n * k) { XCTAssertEqual(ours.distances[i], faiss.distances[i], accuracy: 1e-3 * max(1, faiss.distances[i])) }
        }
        let loss = try PatchLoss(bank: memoryBank, indexes: [index])
        XCTAssertTrue(loss.scales[0].scan is ExactScan)
        XCTAssertNil(try PatchLoss(bank: memoryBank, indexes: [index], blasScan: false).scales[0].scan)
    }
}
