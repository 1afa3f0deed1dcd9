import Basics
import Foundation
import NN
import TestSupport
import XCTest
@testable import Retrieval

/// The tiled exact scan (`ExactScan+Tiles.swift`) returns the one-call-per-block scan's neighbours
/// and distances bit for bit, equal distances included, whatever thread saw which tile.
final class ExactScanTilesTests: XCTestCase {
    /// A bank of `rows` random 8-bit patches of 48 values in which every 5th row repeats an earlier one,
    /// so that queries equal to a repeated row have several neighbours at distance 0.
    static func bank(rows: Int, seed: UInt64) throws -> (PatchMatrix, URL) {
        var rng = SeededGenerator(seed: seed)
        var bytes = (0..<(rows * 48)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        for r in stride(from: 5, to: rows, by: 5) {
            let source = Int.random(in: 0..<r, using: &rng)
            for c in 0..<48 { bytes[r * 48 + c] = bytes[source * 48 + c] }
        }
        let url = TemporaryFolder.url("tiles", extension: "npy")
        try NpyFile.write(bytes, rows: rows, columns: 48, to: url)
        return (PatchMatrix(try ShardedMatrix<UInt8>(files: [url], columns: 48)), url)
    }

    func testTiledScanGivesTheBlockScansNeighboursAndDistancesBitForBit() throws {
        let (patches, url) = try Self.bank(rows: 5_000, seed: 7)
        defer { try? FileManager.default.removeItem(at: url) }
        // 600 queries: noisy copies of bank rows, and bank rows themselves (ties at distance 0).
        var rng = SeededGenerator(seed: 8)
        var queries: [Float] = []
        for q in 0..<600 {
            let row = patches.row(Int.random(in: 0..<patches.rows, using: &rng))
            queries += q % 3 == 0 ? row : row.map { $0 + Float.random(in: -0.2...0.2, using: &rng) }
        }
        let n = queries.count / 48
        // The sizes take the tiled path: several query tiles and row tiles, each above OpenBLAS's small-matrix bound.
        let tiling = try XCTUnwrap(ExactScan.tiling(queries: n, rows: patches.rows, dimension: 48, block: (1 << 20) / n))
        XCTAssertGreaterThan(tiling.queries.count - 1, 1)
        XCTAssertGreaterThan(tiling.rows.count - 1, 8)
        let tiled = try ExactScan(bank: patches), blocks = try ExactScan(bank: patches, cacheBytes: 256 << 20, tiled: false)
        for k in [1, 5, 9] {
            let a = try tiled.search(queries, count: n, k: k), b = try blocks.search(queries, count: n, k: k)
            XCTAssertEqual(a.labels, b.labels, "k \(k)")
            XCTAssertEqual(a.distances.map(\.bitPattern), b.distances.map(\.bitPattern), "k \(k)")
            // Equal distances (a query equal to a repeated row) rank by label, the smaller first, as the block scan meets them.
            guard k > 1 else { continue }
            let ties = (0..<n).filter { a.distances[$0 * k] == a.distances[$0 * k + 1] }
            XCTAssertFalse(ties.isEmpty, "k \(k): no query met a tie")
            for q in ties { XCTAssertLessThan(a.labels[q * k], a.labels[q * k + 1]) }
        }
    }

    func testSmallScansKeepTheirBlocks() {
        // A product under 100³ multiply-adds would take OpenBLAS's small-matrix kernel in one of the two scans.
        XCTAssertNil(ExactScan.tiling(queries: 10, rows: 2_000, dimension: 48, block: 2_000))
        // The last block of the block scan is 16 rows: 600 × 16 × 48 < 100³.
        XCTAssertNil(ExactScan.tiling(queries: 600, rows: 1_763, dimension: 48, block: 1_747))
        XCTAssertNotNil(ExactScan.tiling(queries: 1_024, rows: 122_880, dimension: 48, block: 1_024))
        XCTAssertNotNil(ExactScan.tiling(queries: 361, rows: 43_320, dimension: 768, block: 2_904))
    }
}
