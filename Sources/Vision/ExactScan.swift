import NN
import COpenBLAS
import Tensor

/// Exact k-nearest-neighbour search over every row of a bank: the search a FAISS `Flat` index
/// does, as sgemm over blocks of bank rows with each query's top k merged on all threads.
public final class ExactScan: NearestNeighborScan, @unchecked Sendable {
    private let bank: MappedMatrix<Float>
    private let norms: [Float]

    /// Scans `bank`'s rows (label = row), which must be what the exact index it replaces holds.
    public init(bank: MappedMatrix<Float>) {
        self.bank = bank
        norms = Self.squaredNorms(bank.base, rows: bank.rows, dimension: bank.columns)
    }

    public func search(_ queries: UnsafePointer<Float>, count n: Int, k: Int) -> Neighbors {
        precondition(k > 0, "k must be positive")
        let d = bank.columns, m = bank.rows
        var labels = [Int](repeating: -1, count: n * k)
        var distances = [Float](repeating: .infinity, count: n * k)
        guard n > 0, m > 0 else { return Neighbors(k: k, labels: labels, distances: distances) }
        let queryNorms = Self.squaredNorms(queries, rows: n, dimension: d)
        // Bank rows per block: the block's dot products stay near 1 M floats (4 MB), close to cache.
        let block = max(256, min(m, (1 << 20) / n))
        let dots = Storage(uninitializedCount: n * block)
        labels.withUnsafeMutableBufferPointer { l in
            distances.withUnsafeMutableBufferPointer { dist in
                norms.withUnsafeBufferPointer { bankNorms in
                    let lp = l.baseAddress!, dp = dist.baseAddress!, np = bankNorms.baseAddress!, scores = dots.base
                    for j0 in stride(from: 0, to: m, by: block) {
                        let rows = min(block, m - j0)
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(rows), Int32(d), 1, queries, Int32(d),
                                    bank.base + j0 * d, Int32(d), 0, scores, Int32(rows))
                        Parallel.forEachRange(n, work: rows) { range in
                            for i in range {
                                NearestList(distances: dp + i * k, labels: lp + i * k, k: k)
                                    .offer(dots: scores + i * rows, norms: np + j0, count: rows, queryNorm: queryNorms[i]) { j0 + $0 }
                            }
                        }
                    }
                }
            }
        }
        return Neighbors(k: k, labels: labels, distances: distances)
    }
}
