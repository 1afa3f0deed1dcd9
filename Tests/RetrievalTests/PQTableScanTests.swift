import Foundation
@testable import Retrieval
import TestSupport
import XCTest

/// PleinAir's IVF-PQ list scan (`CFaissShim/PQTableScanner.cpp`) against FAISS's own: the same
/// neighbours, in the same order, with the same distances bit for bit, for the layouts the patch
/// indexes use (PQ6 on 4×4 patches, PCA then PQ16) and others (odd M, PQ8), with repeated vectors
/// (ties), queries equal to stored vectors, a non-finite query, one and two threads.
final class PQTableScanTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = TemporaryFolder.url("pq-table-scan")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// Clustered vectors in [-1, 1]: `count` of them, the first 300 repeated twice more at the end.
    private static func vectors(_ count: Int, dimension d: Int, seed: UInt64) -> [Float] {
        var state = seed
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float((state >> 40) & 0xFFFFFF) / Float(1 << 24)
        }
        let centres = (0..<24).map { _ in (0..<d).map { _ in next() * 1.6 - 0.8 } }
        var out: [Float] = []
        out.reserveCapacity((count + 600) * d)
        for _ in 0..<count {
            let centre = centres[Int(next() * 24) % 24]
            out += centre.map { max(-1, min(1, $0 + (next() - 0.5) * 0.5)) }
        }
        out += Array(out[0..<(300 * d)]) + Array(out[0..<(300 * d)])
        return out
    }

    private func compare(factory: String, dimension d: Int, k: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let data = Self.vectors(10_000, dimension: d, seed: UInt64(d * 31 + k)), n = data.count / d
        let built = try ANNIndex(dimension: d, factory: factory)
        try built.train(data, count: n, threads: 2)
        try built.add(data, count: n, threads: 2)
        let url = folder.appendingPathComponent("\(factory).faiss")
        try built.write(to: url)
        let index = try ANNIndex.read(from: url)
        try index.setParameter("nprobe", 4)
        XCTAssertEqual(index.useFastListScan(true), .pleinAir, factory, file: file, line: line)
        // Fresh queries, stored vectors (ties with their repeats), and a query with a NaN.
        var queries = Self.vectors(400, dimension: d, seed: 7)
        queries.removeLast(600 * d)
        queries += Array(data[0..<(50 * d)])
        var broken = Array(data[(60 * d)..<(61 * d)])
        broken[d / 2] = .nan
        queries += broken
        let count = queries.count / d
        for threads in [1, 2] {
            index.useFastListScan(false)
            let theirs = try index.search(queries, count: count, k: k, threads: threads)
            index.useFastListScan(true)
            let ours = try index.search(queries, count: count, k: k, threads: threads)
            XCTAssertEqual(ours.labels, theirs.labels, "\(factory), \(threads) threads: labels", file: file, line: line)
            XCTAssertEqual(ours.distances.map(\.bitPattern), theirs.distances.map(\.bitPattern),
                           "\(factory), \(threads) threads: distances", file: file, line: line)
            XCTAssertGreaterThan(ours.labels.filter { $0 >= 0 }.count, count * k / 2, "searches found neighbours", file: file, line: line)
        }
    }

    func testPQ6OnFourByFourPatchesGivesFaissResultsBitForBit() throws {
        try compare(factory: "IVF16,PQ6np", dimension: 48, k: 128)
    }

    func testPCAThenPQ16GivesFaissResultsBitForBit() throws {
        try compare(factory: "PCAR32,IVF16,PQ16np", dimension: 96, k: 128)
    }

    func testOddAndEightTermCodesGiveFaissResultsBitForBit() throws {
        try compare(factory: "IVF16,PQ5np", dimension: 40, k: 20)
        try compare(factory: "IVF16,PQ8np", dimension: 48, k: 64)
    }

    func testOtherIndexesKeepFaissSearch() throws {
        let data = Self.vectors(2_000, dimension: 8, seed: 3), n = data.count / 8
        for factory in ["Flat", "IVF4,Flat"] {
            let built = try ANNIndex(dimension: 8, factory: factory)
            try built.train(data, count: n)
            try built.add(data, count: n)
            let url = folder.appendingPathComponent("\(factory).faiss")
            try built.write(to: url)
            XCTAssertEqual(try ANNIndex.read(from: url).useFastListScan(true), .notInvertedPQ, factory)
        }
        print("PQ list scan: 64-code filter \(ANNIndex.fastListScanVectorised ? "on (AVX-512 VBMI)" : "off: exact sums only")")
    }
}
