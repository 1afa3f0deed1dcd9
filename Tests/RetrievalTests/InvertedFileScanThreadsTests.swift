import Basics
import Foundation
import NN
import TestSupport
import XCTest
@testable import Retrieval

/// The IVF list scan spread over the threads returns the serial scan's neighbours and distances bit
/// for bit, equal distances included.
final class InvertedFileScanThreadsTests: XCTestCase {
    func testListsOnThreadsGiveTheSerialScansNeighboursAndDistancesBitForBit() throws {
        let (patches, url) = try ExactScanTilesTests.bank(rows: 4_000, seed: 11)
        defer { try? FileManager.default.removeItem(at: url) }
        let floats = try patches.allFloats()
        let index = try ANNIndex(dimension: 48, factory: "IVF16,Flat")
        try index.train(floats, count: patches.rows)
        try index.add(floats, count: patches.rows)
        try index.setParameter("nprobe", 4)
        // Queries equal to bank rows (some repeated elsewhere in the bank: ties) and noisy copies.
        var rng = SeededGenerator(seed: 12)
        var queries: [Float] = []
        for q in 0..<400 {
            let row = patches.row(Int.random(in: 0..<patches.rows, using: &rng))
            queries += q % 2 == 0 ? row : row.map { $0 + Float.random(in: -0.2...0.2, using: &rng) }
        }
        let n = queries.count / 48
        let threaded = try InvertedFileScan(index: index, bank: patches)
        let serial = try InvertedFileScan(index: index, bank: patches, listsOnThreads: false)
        XCTAssertTrue(threaded.listsOnThreads)
        for k in [1, 5] {
            let a = threaded.search(queries, count: n, k: k), b = serial.search(queries, count: n, k: k)
            XCTAssertEqual(a.labels, b.labels, "k \(k)")
            XCTAssertEqual(a.distances.map(\.bitPattern), b.distances.map(\.bitPattern), "k \(k)")
            guard k > 1 else { continue }
            XCTAssertTrue((0..<n).contains { a.distances[$0 * k] == a.distances[$0 * k + 1] && a.labels[$0 * k + 1] >= 0 },
                          "no query met a tie")
        }
    }
}
