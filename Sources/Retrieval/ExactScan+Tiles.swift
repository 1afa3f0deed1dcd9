import COpenBLAS
import Foundation
import Tensor

/// The cached bank's scan in tiles: each thread takes (queries × bank rows) tiles in turn, computes
/// the tile's dot products with a single-threaded sgemm into its own buffer, small enough to stay in
/// the core's cache, and offers them at once to its own top-k lists; the lists are merged at the end.
///
/// The neighbours and distances are bit for bit those of the scan in one sgemm per block: above
/// OpenBLAS's small-matrix bound (`smallProduct`) an element of a product does not depend on the tile
/// it is computed in nor on the thread count (its sum over the shared dimension runs in the same
/// order), and ranking equal distances by label makes the top k independent of which thread saw what.
/// Where a product of either scan would fall under the bound, the scan keeps its blocks.
extension ExactScan {
    /// OpenBLAS (0.3.21, x86-64) computes products of at most 100³ multiply-adds with its small-matrix
    /// kernel, whose sums may round differently from its blocked kernel's.
    static let smallProduct = 1_000_000
    /// Dot products per tile: 256 KB, which leaves room in a core's L2 for the packed operands.
    static let tileProducts = 1 << 16

    /// The tiles of a scan: starts of the query ranges and of the bank-row ranges, each ending with the total.
    struct Tiling: Equatable {
        let queries: [Int]
        let rows: [Int]
        var count: Int { (queries.count - 1) * (rows.count - 1) }
    }

    /// Tiles for `n` queries against `m` bank rows of `d` values, or nil where a product of the
    /// tiles or of the one-call blocks (`block` rows, all queries) would be small enough for
    /// OpenBLAS's small-matrix kernel.
    static func tiling(queries n: Int, rows m: Int, dimension d: Int, block: Int) -> Tiling? {
        guard n > 0, m > 0 else { return nil }
        let lastBlock = m - (m - 1) / block * block
        guard n * min(block, lastBlock) * d > smallProduct else { return nil }
        let queryTiles = (n + 511) / 512
        let queries = (0...queryTiles).map { n * $0 / queryTiles }
        // Row tiles a multiple of 16 rows (the screen's width), the last one at least half a tile.
        let tallest = (n + queryTiles - 1) / queryTiles
        let height = max(16, tileProducts / tallest / 16 * 16)
        var rows = Array(stride(from: 0, to: m, by: height))
        if rows.count > 1, m - rows.last! < height / 2 { rows.removeLast() }
        rows.append(m)
        let shortest = zip(queries, queries.dropFirst()).map { $1 - $0 }.min()!
        let lowest = zip(rows, rows.dropFirst()).map { $1 - $0 }.min()!
        guard shortest * lowest * d > smallProduct else { return nil }
        return Tiling(queries: queries, rows: rows)
    }

    /// The scan of `n` queries over the cached `floats` (squared `norms`) in `tiling`'s tiles.
    func tiledSearch(_ queries: UnsafePointer<Float>, count n: Int, k: Int, queryNorms: [Float], floats: UnsafePointer<Float>,
                     norms: UnsafePointer<Float>, tiling: Tiling) -> Neighbors {
        let d = bank.columns, queryTiles = tiling.queries.count - 1
        let threads = max(1, min(BLASKernel.threadCount, tiling.count))
        // Each thread's own top-k lists, merged below.
        var labels = [Int](repeating: -1, count: threads * n * k)
        var distances = [Float](repeating: .infinity, count: threads * n * k)
        let tallest = zip(tiling.queries, tiling.queries.dropFirst()).map { $1 - $0 }.max()!
        let widest = zip(tiling.rows, tiling.rows.dropFirst()).map { $1 - $0 }.max()!
        let next = WorkCounter()
        labels.withUnsafeMutableBufferPointer { l in
            distances.withUnsafeMutableBufferPointer { dist in
                queryNorms.withUnsafeBufferPointer { qn in
                    let lp = l.baseAddress!, dp = dist.baseAddress!, qnp = qn.baseAddress!
                    BLASKernel.splittingCalls(threads) { t in
                        let dots = UnsafeMutablePointer<Float>.allocate(capacity: tallest * widest)
                        defer { dots.deallocate() }
                        while let tile = next.take(below: tiling.count) {
                            let q0 = tiling.queries[tile % queryTiles], q1 = tiling.queries[tile % queryTiles + 1]
                            let r0 = tiling.rows[tile / queryTiles], r1 = tiling.rows[tile / queryTiles + 1]
                            let rows = r1 - r0
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(q1 - q0), Int32(rows), Int32(d), 1,
                                        queries + q0 * d, Int32(d), floats + r0 * d, Int32(d), 0, dots, Int32(rows))
                            for i in q0..<q1 {
                                NearestList(distances: dp + (t * n + i) * k, labels: lp + (t * n + i) * k, k: k, tiesByLabel: true)
                                    .offer(dots: dots + (i - q0) * rows, norms: norms + r0, count: rows, queryNorm: qnp[i]) { r0 + $0 }
                            }
                        }
                    }
                }
            }
        }
        return NearestList.merge(labels: labels, distances: distances, threads: threads, queries: n, k: k)
    }
}
