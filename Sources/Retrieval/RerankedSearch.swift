import Foundation
import NN
import Tensor

/// A compressed index's search made exact where it matters: FAISS returns a shortlist of
/// `shortlist` candidates per query from its compressed codes (IVF-PQ distances are approximate),
/// then each candidate's true squared L2 distance is computed from the bank's 8-bit rows, read with
/// `pread` (only the shortlisted rows), and the best k are kept. The index holds a few bytes per
/// patch in memory; the bank stays on disk.
public final class RerankedSearch: NearestNeighborScan, @unchecked Sendable {
    public let index: ANNIndex
    public let bank: PatchMatrix
    /// Candidates per query taken from the index before re-ranking.
    public let shortlist: Int
    /// FAISS OpenMP threads for the shortlist search.
    public let threads: Int

    public init(index: ANNIndex, bank: PatchMatrix, shortlist: Int, threads: Int = 1) {
        precondition(shortlist > 0, "shortlist must be positive")
        precondition(index.dimension == bank.columns, "index and bank dimensions differ")
        self.index = index
        self.bank = bank
        self.shortlist = shortlist
        self.threads = threads
    }

    public func search(_ queries: UnsafePointer<Float>, count n: Int, k: Int) throws -> Neighbors {
        precondition(k > 0, "k must be positive")
        let r = max(k, shortlist), d = bank.columns
        let candidates = try index.search(queries, count: n, k: r, threads: threads)
        var labels = [Int](repeating: -1, count: n * k)
        var distances = [Float](repeating: .infinity, count: n * k)
        var failure: Error?
        let lock = NSLock()
        labels.withUnsafeMutableBufferPointer { l in
            distances.withUnsafeMutableBufferPointer { dist in
                let lp = l.baseAddress!, dp = dist.baseAddress!
                Parallel.forEachRange(n, work: r * d) { range in
                    var rows = [Float](repeating: 0, count: r * d)
                    for q in range {
                        let ids = candidates.labels[(q * r)..<((q + 1) * r)].filter { $0 >= 0 }
                        do {
                            try rows.withUnsafeMutableBufferPointer { try bank.readRows(ids, into: $0.baseAddress!) }
                        } catch {
                            lock.lock(); failure = failure ?? error; lock.unlock()
                            return
                        }
                        let list = NearestList(distances: dp + q * k, labels: lp + q * k, k: k)
                        let query = queries + q * d
                        rows.withUnsafeBufferPointer { b in
                            for (j, id) in ids.enumerated() {
                                var s: Float = 0
                                let row = b.baseAddress! + j * d
                                for i in 0..<d { let e = query[i] - row[i]; s += e * e }
                                list.insert(s, id)
                            }
                        }
                    }
                }
            }
        }
        if let failure { throw failure }
        return Neighbors(k: k, labels: labels, distances: distances)
    }
}
