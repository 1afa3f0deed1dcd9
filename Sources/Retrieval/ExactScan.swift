import NN
import COpenBLAS
import Tensor

/// Exact k-nearest-neighbour search over every row of a bank: the search a FAISS `Flat` index
/// does, as sgemm over blocks of bank rows with each query's top k merged on all threads. A bank
/// whose floats fit in `cacheBytes` is converted once and kept, and scanned in cache-sized tiles, a
/// thread per tile (`ExactScan+Tiles.swift`: the same bits); a larger one is streamed block by
/// block (read with `pread`, converted, searched), so exact search over a bank of tens of millions
/// of patches runs in bounded memory. On a CPU with AVX512_BF16 a cached bank's scan is pre-screened
/// in bf16 (`ExactScan+Prescreen.swift`: the same bits, in about half the time).
public final class ExactScan: NearestNeighborScan, @unchecked Sendable {
    let bank: PatchMatrix
    /// The converted bank, its squared norms and its bf16 pre-screen, when it fits in the cache.
    private let cached: (floats: [Float], norms: [Float], prescreen: BF16Prescreen?)?
    /// The bf16 pre-screen this scan uses, if any.
    var prescreen: BF16Prescreen? { cached?.prescreen }
    /// Whether a cached bank is scanned in tiles (`ExactScan+Tiles.swift`; false: one sgemm per block, for tests).
    let tiled: Bool

    /// Scans `bank`'s rows (label = row), which must be what the exact index it replaces holds.
    /// `prescreen: false` keeps the sgemm scan where the bf16 pre-screen would run (same results; for benchmarks).
    public convenience init(bank: PatchMatrix, cacheBytes: Int = 256 << 20, prescreen: Bool = true) throws {
        try self.init(bank: bank, cacheBytes: cacheBytes, tiled: true, prescreen: prescreen)
    }

    init(bank: PatchMatrix, cacheBytes: Int, tiled: Bool, prescreen: Bool = true) throws {
        self.bank = bank
        self.tiled = tiled
        if bank.floatBytes <= cacheBytes {
            let floats = try bank.allFloats()
            let norms = floats.withUnsafeBufferPointer { Self.squaredNorms($0.baseAddress!, rows: bank.rows, dimension: bank.columns) }
            let screen = prescreen && tiled
                ? floats.withUnsafeBufferPointer { BF16Prescreen(floats: $0.baseAddress!, rows: bank.rows, dimension: bank.columns, norms: norms) }
                : nil
            cached = (floats, norms, screen)
        } else {
            cached = nil
        }
    }

    public func search(_ queries: UnsafePointer<Float>, count n: Int, k: Int) throws -> Neighbors {
        precondition(k > 0, "k must be positive")
        let d = bank.columns, m = bank.rows
        var labels = [Int](repeating: -1, count: n * k)
        var distances = [Float](repeating: .infinity, count: n * k)
        guard n > 0, m > 0 else { return Neighbors(k: k, labels: labels, distances: distances) }
        let queryNorms = Self.squaredNorms(queries, rows: n, dimension: d)
        // Bank rows per block: the block's dot products stay near 1 M floats (4 MB), close to cache;
        // streamed blocks are at least 16k rows so each read is large.
        let block = max(cached == nil ? 16_384 : 256, min(m, (1 << 20) / n))
        if tiled, let cached, let tiling = Self.tiling(queries: n, rows: m, dimension: d, block: block) {
            return cached.floats.withUnsafeBufferPointer { f in
                cached.norms.withUnsafeBufferPointer { norms in
                    cached.prescreen.flatMap {
                        prescreenedSearch(queries, count: n, k: k, queryNorms: queryNorms, floats: f.baseAddress!, norms: norms.baseAddress!,
                                          prescreen: $0)
                    } ?? tiledSearch(queries, count: n, k: k, queryNorms: queryNorms, floats: f.baseAddress!, norms: norms.baseAddress!,
                                tiling: tiling)
                }
            }
        }
        let dots = Storage(uninitializedCount: n * block)
        func scan(_ j0: Int, _ rows: Int, _ source: UnsafePointer<Float>, _ norms: UnsafePointer<Float>) {
            labels.withUnsafeMutableBufferPointer { l in
                distances.withUnsafeMutableBufferPointer { dist in
                    let lp = l.baseAddress!, dp = dist.baseAddress!, scores = dots.base
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(rows), Int32(d), 1, queries, Int32(d),
                                source, Int32(d), 0, scores, Int32(rows))
                    Parallel.forEachRange(n, work: rows) { range in
                        for i in range {
                            NearestList(distances: dp + i * k, labels: lp + i * k, k: k)
                                .offer(dots: scores + i * rows, norms: norms, count: rows, queryNorm: queryNorms[i]) { j0 + $0 }
                        }
                    }
                }
            }
        }
        for j0 in stride(from: 0, to: m, by: block) {
            let rows = min(block, m - j0)
            if let cached {
                cached.floats.withUnsafeBufferPointer { f in
                    cached.norms.withUnsafeBufferPointer { scan(j0, rows, f.baseAddress! + j0 * d, $0.baseAddress! + j0) }
                }
            } else {
                let floats = try bank.floats(j0..<(j0 + rows))
                floats.withUnsafeBufferPointer { f in
                    let norms = Self.squaredNorms(f.baseAddress!, rows: rows, dimension: d)
                    norms.withUnsafeBufferPointer { scan(j0, rows, f.baseAddress!, $0.baseAddress!) }
                }
            }
        }
        return Neighbors(k: k, labels: labels, distances: distances)
    }
}
