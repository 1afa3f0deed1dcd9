import Foundation
import NN
import Tensor

/// A compressed index's search made exact where it matters: FAISS returns a shortlist of
/// `shortlist` candidates per query from its compressed codes (IVF-PQ distances are approximate),
/// then each candidate's true squared L2 distance is computed from the bank's 8-bit rows, read with
/// `pread` (only the shortlisted rows, each once per search), and the best k are kept. The index holds a few bytes per
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
        // Every shortlisted row once (neighbouring queries share many), ascending, read as 8-bit rows
        // with one `pread` per run of adjacent rows, then converted per candidate as before.
        let unique = Array(Set(candidates.labels.filter { $0 >= 0 })).sorted()
        var runs: [Range<Int>] = []  // slots in `unique` whose rows are adjacent
        var first = 0
        for slot in 0..<unique.count where slot + 1 == unique.count || unique[slot + 1] != unique[slot] + 1 {
            runs.append(first..<(slot + 1))
            first = slot + 1
        }
        var stored = [UInt8](repeating: 0, count: unique.count * d)
        var failure: Error?
        let lock = NSLock()
        stored.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress
            Parallel.forEachRange(runs.count, work: 4 * d) { range in
                for run in runs[range] {
                    do {
                        try bank.bytes.read(unique[run.lowerBound]..<(unique[run.lowerBound] + run.count), into: base! + run.lowerBound * d)
                    } catch {
                        lock.lock(); failure = failure ?? error; lock.unlock()
                        return
                    }
                }
            }
        }
        if let failure { throw failure }
        var labels = [Int](repeating: -1, count: n * k)
        var distances = [Float](repeating: .infinity, count: n * k)
        // A byte's float (`PatchMatrix.value`) by lookup; each candidate's distance summed in order,
        // four candidates at a time (independent sums, so the adds overlap), inserted in shortlist order.
        let values = (0...255).map { PatchMatrix.value(UInt8($0)) }
        labels.withUnsafeMutableBufferPointer { l in
            distances.withUnsafeMutableBufferPointer { dist in
                stored.withUnsafeBufferPointer { bytes in
                    values.withUnsafeBufferPointer { table in
                        let lp = l.baseAddress!, dp = dist.baseAddress!, v = table.baseAddress!
                        Parallel.forEachRange(n, work: r * d) { range in
                            for q in range {
                                let list = NearestList(distances: dp + q * k, labels: lp + q * k, k: k)
                                let query = queries + q * d
                                let ids = candidates.labels[(q * r)..<((q + 1) * r)].filter { $0 >= 0 }
                                let rows = ids.map { bytes.baseAddress! + Self.slot(of: $0, in: unique) * d }
                                var j = 0
                                while j + 4 <= ids.count {
                                    let a = rows[j], b = rows[j + 1], c = rows[j + 2], e = rows[j + 3]
                                    var sa: Float = 0, sb: Float = 0, sc: Float = 0, se: Float = 0
                                    for i in 0..<d {
                                        let x = query[i]
                                        let da = x - v[Int(a[i])], db = x - v[Int(b[i])], dc = x - v[Int(c[i])], de = x - v[Int(e[i])]
                                        sa += da * da; sb += db * db; sc += dc * dc; se += de * de
                                    }
                                    list.insert(sa, ids[j]); list.insert(sb, ids[j + 1]); list.insert(sc, ids[j + 2]); list.insert(se, ids[j + 3])
                                    j += 4
                                }
                                while j < ids.count {
                                    let a = rows[j]
                                    var sa: Float = 0
                                    for i in 0..<d { let da = query[i] - v[Int(a[i])]; sa += da * da }
                                    list.insert(sa, ids[j])
                                    j += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        return Neighbors(k: k, labels: labels, distances: distances)
    }

    /// The index of `id` in the ascending `ids`, which hold it.
    @inline(__always)
    static func slot(of id: Int, in ids: [Int]) -> Int {
        var low = 0, high = ids.count - 1
        while low < high {
            let mid = (low + high) / 2
            if ids[mid] < id { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
