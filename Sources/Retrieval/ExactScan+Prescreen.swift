import CScanKernels
import Foundation
import Tensor

/// The cached bank's scan with a bf16 pre-screen, giving the sgemm scan's neighbours and distances
/// bit for bit in less time on a CPU with AVX512_BF16 (VDPBF16PS: twice float32's multiply-adds per
/// instruction).
///
/// Every (query, row) pair gets an approximate distance from bf16-rounded values and a bound on how
/// far the sgemm scan's distance can be from it (`BF16Prescreen.Bound`), hence an interval
/// [lower, upper] holding the exact distance. The query's k-th smallest upper end τ bounds its k-th
/// exact distance, so every row that can be among its k nearest, ties included, has lower ≤ τ; rows
/// above are dropped (99.5–99.8% of them on the demo's banks). The kept rows' distances are then computed
/// in float32 in the summation order of OpenBLAS's kernel (`BlockedDotOrder`, matched on this machine at
/// first use) with the sgemm scan's own formula, and ranked by (distance, label) as the tiled scan does.
extension ExactScan {
    /// The pre-screened scan of `n` queries over the cached bank, or nil when a query value is not
    /// finite or too large for bf16's range (the sgemm scan then runs as before).
    func prescreenedSearch(_ queries: UnsafePointer<Float>, count n: Int, k: Int, queryNorms: [Float], floats: UnsafePointer<Float>,
                           norms: UnsafePointer<Float>, prescreen: BF16Prescreen) -> Neighbors? {
        let d = bank.columns, m = bank.rows, pairs = prescreen.pairs
        for i in 0..<(n * d) where !(abs(queries[i]) < 0x1p60) { return nil }
        let paddedQueries = (n + 7) / 8 * 8
        let packed = [UInt32](unsafeUninitializedCapacity: paddedQueries * pairs) { out, count in
            pleinair_bf16_pack_queries(queries, n, d, paddedQueries, out.baseAddress!)
            count = paddedQueries * pairs
        }
        let bound = BF16Prescreen.Bound(dimension: d)
        let padding = [Float](repeating: 0, count: paddedQueries - n)
        let queryTerms = queryNorms.map(BF16Prescreen.Bound.queryTerm) + padding
        let queryProducts = queryNorms.map(bound.queryProduct) + padding
        // Tiles of up to 256 queries (a multiple of 8) × a multiple of 32 rows: 64k approximate
        // products (256 KB) a tile, screened at once by the thread that computed them.
        let queryTile = min(paddedQueries, 256)
        let rowTile = max(32, Self.tileProducts / queryTile / 32 * 32)
        let queryTiles = (paddedQueries + queryTile - 1) / queryTile
        let rowTiles = (prescreen.paddedRows + rowTile - 1) / rowTile
        let tiles = queryTiles * rowTiles
        let threads = max(1, min(BLASKernel.threadCount, tiles))
        // Each thread's screen: per query, the k smallest upper ends so far (ascending) and the rows
        // whose lower end was within the k-th of them when met.
        var uppers = [[Float]](repeating: [], count: threads)
        var kept = [[[Candidate]]](repeating: [], count: threads)
        let next = WorkCounter()
        let lock = NSLock()
        BLASKernel.splittingCalls(threads) { t in
            var upper = [Float](repeating: .infinity, count: n * k)
            var candidates = [[Candidate]](repeating: [], count: n)
            // The k-th upper end of each query when a tile starts (−∞ for the padding: no row passes).
            var limits = [Float](repeating: -.infinity, count: paddedQueries)
            let dots = UnsafeMutablePointer<Float>.allocate(capacity: queryTile * rowTile)
            let masks = UnsafeMutablePointer<UInt32>.allocate(capacity: queryTile * rowTile / 32)
            defer { dots.deallocate(); masks.deallocate() }
            while let tile = next.take(below: tiles) {
                let q0 = tile % queryTiles * queryTile, q1 = min(paddedQueries, q0 + queryTile)
                let r0 = tile / queryTiles * rowTile, r1 = min(prescreen.paddedRows, r0 + rowTile)
                let width = r1 - r0, blocks = width / 32
                for i in q0..<min(q1, n) { limits[i] = upper[i * k + k - 1] }
                pleinair_bf16_screen(packed, q0, (q1 - q0) / 8, prescreen.packed, r0, blocks, pairs, queryTerms, queryProducts, limits,
                                     prescreen.rowTerms, prescreen.rootNorms, dots, width, masks, blocks)
                upper.withUnsafeMutableBufferPointer { up in
                    for i in q0..<min(q1, n) {
                        let list = up.baseAddress! + i * k
                        for b in 0..<blocks {
                            var mask = masks[(i - q0) * blocks + b]
                            while mask != 0 {
                                let j = r0 + 32 * b + mask.trailingZeroBitCount
                                mask &= mask - 1
                                guard j < m else { break }
                                Self.offer(row: j, dot: dots[(i - q0) * width + j - r0], queryNorm: queryNorms[i], queryTerm: queryTerms[i],
                                           queryProduct: queryProducts[i], rowNorm: norms[j], prescreen: prescreen, upper: list, k: k,
                                           kept: &candidates[i])
                            }
                        }
                    }
                }
            }
            lock.lock()
            uppers[t] = upper
            kept[t] = candidates
            lock.unlock()
        }
        // Each query's τ from all threads' upper ends, then its kept rows' exact distances.
        var labels = [Int](repeating: -1, count: n * k)
        var distances = [Float](repeating: .infinity, count: n * k)
        labels.withUnsafeMutableBufferPointer { l in
            distances.withUnsafeMutableBufferPointer { dist in
                let lp = l.baseAddress!, dp = dist.baseAddress!
                Parallel.forEachRange(n, work: 4_096) { range in
                    for i in range {
                        var ends: [Float] = []
                        for t in 0..<threads { ends += uppers[t][(i * k)..<(i * k + k)] }
                        ends.sort()
                        let tau = ends[k - 1]
                        let list = NearestList(distances: dp + i * k, labels: lp + i * k, k: k, tiesByLabel: true)
                        let query = queries + i * d
                        for t in 0..<threads {
                            for candidate in kept[t][i] where candidate.lower <= tau {
                                let j = Int(candidate.row)
                                let dot = prescreen.order.dot(query, floats + j * d, count: d)
                                list.insert(max(0, queryNorms[i] + (norms[j] - 2 * dot)), j)
                            }
                        }
                    }
                }
            }
        }
        return Neighbors(k: k, labels: labels, distances: distances)
    }

    /// A row kept by the screen and the lower end of its distance's interval.
    struct Candidate {
        let row: Int32
        let lower: Float
    }

    /// Offers row `j`, which passed the C screen against the k-th upper end the tile started with:
    /// inserts its upper end into the query's k smallest (`upper`, ascending), then keeps it if its
    /// lower end is within the k-th of them now.
    @inline(__always)
    static func offer(row j: Int, dot: Float, queryNorm: Float, queryTerm: Float, queryProduct: Float, rowNorm: Float,
                      prescreen: BF16Prescreen, upper: UnsafeMutablePointer<Float>, k: Int, kept: inout [Candidate]) {
        let root = prescreen.rootNorms[j]
        let lower = BF16Prescreen.Bound.lower(dot: dot, queryTerm: queryTerm, rowTerm: prescreen.rowTerms[j], queryProduct: queryProduct,
                                              rowRoot: root)
        guard lower <= upper[k - 1] else { return }
        let high = BF16Prescreen.Bound.upper(dot: dot, queryNorm: queryNorm, rowNorm: rowNorm, queryProduct: queryProduct, rowRoot: root)
        if high < upper[k - 1] {
            var slot = k - 1
            while slot > 0, high < upper[slot - 1] {
                upper[slot] = upper[slot - 1]
                slot -= 1
            }
            upper[slot] = high
        }
        if lower <= upper[k - 1] { kept.append(Candidate(row: Int32(j), lower: lower)) }
    }
}
