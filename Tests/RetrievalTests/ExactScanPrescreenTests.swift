import Basics
import CScanKernels
import COpenBLAS
import Foundation
import NN
import TestSupport
import XCTest
@testable import Retrieval

/// The bf16 pre-screen (`ExactScan+Prescreen.swift`) gives the sgemm scan's neighbours and distances
/// bit for bit: its bound holds on every pair, and the kept rows' distances are recomputed in
/// OpenBLAS's own summation order. On a CPU without AVX512_BF16 the scan is the sgemm scan, which
/// these tests then check against itself and say so.
final class ExactScanPrescreenTests: XCTestCase {
    /// A bank of `rows` 8-bit patches of `dimension` values: smooth ramps with noise (many rows close
    /// together, as photographs' patches are), every 5th row a repeat of an earlier one (ties at 0).
    static func bank(rows: Int, dimension: Int, seed: UInt64) throws -> (PatchMatrix, URL) {
        var rng = SeededGenerator(seed: seed)
        var bytes = [UInt8](repeating: 0, count: rows * dimension)
        for r in 0..<rows {
            let base = Double.random(in: 20...235, using: &rng), slope = Double.random(in: -0.2...0.2, using: &rng)
            for c in 0..<dimension {
                let v = base + slope * Double(c) + Double.random(in: -6...6, using: &rng)
                bytes[r * dimension + c] = UInt8(max(0, min(255, v.rounded())))
            }
        }
        for r in stride(from: 5, to: rows, by: 5) {
            let source = Int.random(in: 0..<r, using: &rng)
            for c in 0..<dimension { bytes[r * dimension + c] = bytes[source * dimension + c] }
        }
        let url = TemporaryFolder.url("prescreen", extension: "npy")
        try NpyFile.write(bytes, rows: rows, columns: dimension, to: url)
        return (PatchMatrix(try ShardedMatrix<UInt8>(files: [url], columns: dimension)), url)
    }

    /// Noisy copies of bank rows and bank rows themselves.
    static func queries(_ patches: PatchMatrix, count: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        var queries: [Float] = []
        for q in 0..<count {
            let row = patches.row(Int.random(in: 0..<patches.rows, using: &rng))
            queries += q % 3 == 0 ? row : row.map { $0 + Float.random(in: -0.05...0.05, using: &rng) }
        }
        return queries
    }

    func testPrescreenedScanGivesTheSgemmScansNeighboursAndDistancesBitForBit() throws {
        // The bench's three patch sizes: one chain (48, 192) and OpenBLAS's blocked sum (768 on this CPU).
        for (dimension, rows, count) in [(48, 6_144, 512), (192, 3_000, 300), (768, 2_000, 200)] {
            let (patches, url) = try Self.bank(rows: rows, dimension: dimension, seed: UInt64(dimension))
            defer { try? FileManager.default.removeItem(at: url) }
            let queries = Self.queries(patches, count: count, seed: 9)
            XCTAssertNotNil(ExactScan.tiling(queries: count, rows: rows, dimension: dimension, block: (1 << 20) / count))
            let screened = try ExactScan(bank: patches), sgemm = try ExactScan(bank: patches, prescreen: false)
            XCTAssertNil(sgemm.prescreen)
            if BF16Prescreen.cpuSupported {
                XCTAssertNotNil(screened.prescreen, "d \(dimension): no summation order matched this OpenBLAS")
            } else {
                print("ExactScanPrescreenTests: this CPU has no AVX512_BF16; the sgemm scan is checked against itself")
            }
            for k in [1, 5, 9] {
                let a = try screened.search(queries, count: count, k: k), b = try sgemm.search(queries, count: count, k: k)
                XCTAssertEqual(a.labels, b.labels, "d \(dimension) k \(k)")
                XCTAssertEqual(a.distances.map(\.bitPattern), b.distances.map(\.bitPattern), "d \(dimension) k \(k)")
            }
        }
    }

    func testTheBoundHoldsOnEveryPairAndScreensOutMostRows() throws {
        guard BF16Prescreen.cpuSupported else {
            print("ExactScanPrescreenTests: this CPU has no AVX512_BF16; the kernel's bound is not exercised")
            return
        }
        for dimension in [48, 768] {
            let (patches, url) = try Self.bank(rows: 1_024, dimension: dimension, seed: 3)
            defer { try? FileManager.default.removeItem(at: url) }
            let m = patches.rows, n = 64
            let floats = try patches.allFloats()
            // Queries beyond the bank's range too: the bound is relative to the norms.
            var queries = Self.queries(patches, count: n, seed: 4)
            for i in stride(from: 0, to: queries.count, by: 7) { queries[i] *= 3 }
            let norms = floats.withUnsafeBufferPointer { ExactScan.squaredNorms($0.baseAddress!, rows: m, dimension: dimension) }
            let queryNorms = queries.withUnsafeBufferPointer { ExactScan.squaredNorms($0.baseAddress!, rows: n, dimension: dimension) }
            let screen = try XCTUnwrap(floats.withUnsafeBufferPointer { BF16Prescreen(floats: $0.baseAddress!, rows: m, dimension: dimension, norms: norms) })
            let pairs = screen.pairs, width = screen.paddedRows, blocks = width / 32
            var packed = [UInt32](repeating: 0, count: n * pairs)
            pleinair_bf16_pack_queries(queries, n, dimension, n, &packed)
            var exact = [Float](repeating: 0, count: n * m)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(m), Int32(dimension), 1, queries, Int32(dimension),
                        floats, Int32(dimension), 0, &exact, Int32(m))
            let distance = { (i: Int, j: Int) in max(0, queryNorms[i] + (norms[j] - 2 * exact[i * m + j])) }
            let bound = BF16Prescreen.Bound(dimension: dimension)
            let queryTerms = queryNorms.map(BF16Prescreen.Bound.queryTerm), queryProducts = queryNorms.map(bound.queryProduct)
            // The C screen's masks against each query's 5th exact distance: every row at most that far is flagged.
            let fifth = (0..<n).map { i in (0..<m).map { distance(i, $0) }.sorted()[4] }
            var approximate = [Float](repeating: 0, count: n * width), masks = [UInt32](repeating: 0, count: n * blocks)
            pleinair_bf16_screen(packed, 0, n / 8, screen.packed, 0, blocks, pairs, queryTerms, queryProducts, fifth, screen.rowTerms,
                                 screen.rootNorms, &approximate, width, &masks, blocks)
            var worst: Float = 0, moved = 0, kept = 0
            for i in 0..<n {
                var lowers: [Float] = [], uppers: [Float] = []
                for j in 0..<m {
                    let dot = approximate[i * width + j], e = distance(i, j)
                    let lower = BF16Prescreen.Bound.lower(dot: dot, queryTerm: queryTerms[i], rowTerm: screen.rowTerms[j],
                                                          queryProduct: queryProducts[i], rowRoot: screen.rootNorms[j])
                    let upper = BF16Prescreen.Bound.upper(dot: dot, queryNorm: queryNorms[i], rowNorm: norms[j],
                                                          queryProduct: queryProducts[i], rowRoot: screen.rootNorms[j])
                    XCTAssertLessThanOrEqual(lower, e, "d \(dimension) query \(i) row \(j)")
                    XCTAssertGreaterThanOrEqual(upper, e, "d \(dimension) query \(i) row \(j)")
                    if e <= fifth[i] { XCTAssertNotEqual(masks[i * blocks + j / 32] & (1 << (j % 32)), 0, "d \(dimension) query \(i) row \(j)") }
                    let a = queryNorms[i] + (norms[j] - 2 * dot)
                    worst = max(worst, abs(a - e) / (upper - a))
                    if a != e { moved += 1 }
                    lowers.append(lower)
                    uppers.append(upper)
                }
                // What the screen keeps for k = 5: rows whose lower end is within the 5th smallest upper end.
                let tau = uppers.sorted()[4]
                kept += lowers.filter { $0 <= tau }.count
            }
            XCTAssertLessThan(kept, n * m / 10, "d \(dimension): the screen kept \(kept) of \(n * m) pairs")
            // The bound is not vacuous: bf16 rounding moves most distances, by up to a fraction of it.
            XCTAssertGreaterThan(moved, n * m / 2, "d \(dimension)")
            XCTAssertGreaterThan(worst, 0.02, "d \(dimension)")
            XCTAssertLessThan(worst, 1, "d \(dimension)")
        }
    }

    func testTheBlockedDotReproducesSgemmsElements() throws {
        // One chain under the kernel's block, blocks added in order above it (OpenBLAS's level-3 driver).
        for dimension in [48, 192, 768] {
            guard let order = BlockedDotOrder.calibrated(dimension: dimension) else {
                XCTAssertFalse(BF16Prescreen.cpuSupported && dimension < 128, "d \(dimension): not even one chain matched")
                print("ExactScanPrescreenTests: no summation order matched this OpenBLAS at d \(dimension); the pre-screen stays off there")
                continue
            }
            if dimension <= order.blockQ { XCTAssertEqual(order.blockQ, dimension) }
            var rng = SeededGenerator(seed: UInt64(dimension))
            let m = 80, n = ExactScan.smallProduct / (80 * dimension) + 100
            let a = (0..<(m * dimension)).map { _ in Float.random(in: -1...1, using: &rng) }
            let b = (0..<(n * dimension)).map { _ in Float.random(in: -1...1, using: &rng) }
            var c = [Float](repeating: 0, count: m * n)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(dimension), 1, a, Int32(dimension), b,
                        Int32(dimension), 0, &c, Int32(n))
            var mismatches = 0
            for i in 0..<m {
                for j in 0..<n where order.dot(a.withUnsafeBufferPointer { $0.baseAddress! + i * dimension },
                                                b.withUnsafeBufferPointer { $0.baseAddress! + j * dimension }, count: dimension).bitPattern
                    != c[i * n + j].bitPattern { mismatches += 1 }
            }
            XCTAssertEqual(mismatches, 0, "d \(dimension)")
        }
    }

    func testANonFiniteQueryTakesTheSgemmScan() throws {
        let (patches, url) = try Self.bank(rows: 6_144, dimension: 48, seed: 11)
        defer { try? FileManager.default.removeItem(at: url) }
        var queries = Self.queries(patches, count: 512, seed: 12)
        queries[100] = .nan
        queries[200] = 1e30
        let screened = try ExactScan(bank: patches), sgemm = try ExactScan(bank: patches, prescreen: false)
        let a = try screened.search(queries, count: 512, k: 5), b = try sgemm.search(queries, count: 512, k: 5)
        XCTAssertEqual(a.labels, b.labels)
        XCTAssertEqual(a.distances.map(\.bitPattern), b.distances.map(\.bitPattern))
    }
}
