import NN
import COpenBLAS
import Tensor

/// An IVF search that scans the probed lists with sgemm instead of FAISS's own distance loops.
///
/// Debian builds FAISS for baseline x86-64 (no AVX2), so its list scan runs near scalar speed while
/// OpenBLAS runs its AVX-512 kernel: for one image's few hundred patches the scan dominated a
/// training step. This uses FAISS's trained centroids, its list assignment and its nprobe, and
/// computes exact L2 distances to the probed lists' vectors — for `IVF…,Flat` the same neighbours
/// FAISS returns (up to rounding ties). Each list's vectors are copied once, contiguously.
public final class InvertedFileScan: NearestNeighborScan, @unchecked Sendable {
    public let dimension: Int
    public let nprobe: Int
    private let centroids: [Float]
    private let centroidNorms: [Float]
    private let lists: [[Int]]
    private let listVectors: [[Float]]
    private let listNorms: [[Float]]

    /// Reads the inverted file of `index` (itself an IVF index over `bank`'s rows, in order). Every
    /// bank row is copied as floats: for IVF-Flat indexes over banks that fit in memory.
    /// Whether the probed lists are spread over the threads (false: one after another, each sgemm
    /// and merge threaded; for tests).
    let listsOnThreads: Bool
    /// Where each list's entries start in the order the lists are scanned (a candidate's rank among equals).
    private let listStarts: [Int]

    public convenience init(index: ANNIndex, bank: PatchMatrix) throws {
        try self.init(index: index, bank: bank, listsOnThreads: true)
    }

    init(index: ANNIndex, bank: PatchMatrix, listsOnThreads: Bool) throws {
        self.listsOnThreads = listsOnThreads
        let d = bank.columns
        precondition(index.dimension == d, "index and bank dimensions differ")
        let (centroids, lists) = try index.invertedFile()
        self.dimension = d
        self.nprobe = max(1, min(index.probes, lists.count))
        self.centroids = centroids
        self.centroidNorms = Self.squaredNorms(centroids, rows: centroids.count / d, dimension: d)
        self.lists = lists
        listVectors = lists.map { ids in
            var v = [Float](repeating: 0, count: ids.count * d)
            v.withUnsafeMutableBufferPointer { out in
                for (k, id) in ids.enumerated() {
                    precondition(id >= 0 && id < bank.rows, "IVF list id \(id) outside the bank's \(bank.rows) rows")
                    bank.copyRow(id, into: out.baseAddress! + k * d)
                }
            }
            return v
        }
        listNorms = listVectors.map { Self.squaredNorms($0, rows: $0.count / d, dimension: d) }
        listStarts = lists.reduce(into: [0]) { $0.append($0.last! + $1.count) }
    }

    /// The `k` nearest bank rows (squared L2, as FAISS reports) of `count` row-major queries.
    public func search(_ queries: UnsafePointer<Float>, count n: Int, k: Int) -> Neighbors {
        precondition(k > 0, "k must be positive")
        let d = dimension, nlist = lists.count
        var labels = [Int](repeating: -1, count: n * k)
        var distances = [Float](repeating: .infinity, count: n * k)
        guard n > 0 else { return Neighbors(k: k, labels: labels, distances: distances) }
        let queryNorms = Self.squaredNorms(queries, rows: n, dimension: d)
        // Coarse assignment: the nprobe nearest centroids of every query.
        var dots = [Float](repeating: 0, count: n * nlist)
        centroids.withUnsafeBufferPointer { c in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(nlist), Int32(d), 1, queries, Int32(d),
                        c.baseAddress, Int32(d), 0, &dots, Int32(nlist))
        }
        var probers = [[Int]](repeating: [], count: nlist)
        var best = [Int](repeating: 0, count: nprobe), bestScore = [Float](repeating: 0, count: nprobe)
        for i in 0..<n {
            // Insertion into a sorted list of nprobe: cheaper than sorting all lists per query.
            var filled = 0
            for list in 0..<nlist {
                let score = centroidNorms[list] - 2 * dots[i * nlist + list]
                if filled == nprobe, score >= bestScore[nprobe - 1] { continue }
                var slot = min(filled, nprobe - 1)
                while slot > 0, bestScore[slot - 1] > score {
                    bestScore[slot] = bestScore[slot - 1]; best[slot] = best[slot - 1]
                    slot -= 1
                }
                bestScore[slot] = score; best[slot] = list
                filled = min(filled + 1, nprobe)
            }
            for j in 0..<filled { probers[best[j]].append(i) }
        }
        let probed = (0..<nlist).filter { !probers[$0].isEmpty && !lists[$0].isEmpty }
        let threads = min(BLASKernel.threadCount, probed.count)
        if listsOnThreads, threads > 1 {
            return scanOnThreads(probed, probers: probers, queries: queries, count: n, k: k, queryNorms: queryNorms, threads: threads)
        }
        // Exact distances to every probed list, one sgemm per list, merged into each query's top k.
        var gathered = [Float](), scores = [Float]()
        for list in 0..<nlist where !probers[list].isEmpty && !lists[list].isEmpty {
            let qs = probers[list], m = lists[list].count
            gathered.removeAll(keepingCapacity: true)
            for q in qs { gathered.append(contentsOf: UnsafeBufferPointer(start: queries + q * d, count: d)) }
            if scores.count < qs.count * m { scores = [Float](repeating: 0, count: qs.count * m) }
            listVectors[list].withUnsafeBufferPointer { v in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(qs.count), Int32(m), Int32(d), 1, gathered, Int32(d),
                            v.baseAddress, Int32(d), 0, &scores, Int32(m))
            }
            let ids = lists[list]
            labels.withUnsafeMutableBufferPointer { l in
                distances.withUnsafeMutableBufferPointer { dist in
                    listNorms[list].withUnsafeBufferPointer { norms in
                        scores.withUnsafeBufferPointer { sc in
                            let lp = l.baseAddress!, dp = dist.baseAddress!, np = norms.baseAddress!, sp = sc.baseAddress!
                            // Each query owns its k slots, so the rows merge in parallel.
                            Parallel.forEachRange(qs.count, work: m) { range in
                                for r in range {
                                    let q = qs[r]
                                    NearestList(distances: dp + q * k, labels: lp + q * k, k: k)
                                        .offer(dots: sp + r * m, norms: np, count: m, queryNorm: queryNorms[q]) { ids[$0] }
                                }
                            }
                        }
                    }
                }
            }
        }
        return Neighbors(k: k, labels: labels, distances: distances)
    }

    /// The probed lists spread over `threads` threads, each scanning whole lists with the same sgemm
    /// as the serial scan (single-threaded) into its own top-k lists, merged at the end. Equal distances
    /// rank by the candidate's place in the serial scan (list, then position), so the neighbours and
    /// distances are bit for bit the serial scan's.
    private func scanOnThreads(_ probed: [Int], probers: [[Int]], queries: UnsafePointer<Float>, count n: Int, k: Int,
                               queryNorms: [Float], threads: Int) -> Neighbors {
        let d = dimension, next = WorkCounter()
        var places = [Int](repeating: -1, count: threads * n * k)
        var distances = [Float](repeating: .infinity, count: threads * n * k)
        places.withUnsafeMutableBufferPointer { p in
            distances.withUnsafeMutableBufferPointer { dist in
                let pp = p.baseAddress!, dp = dist.baseAddress!
                BLASKernel.splittingCalls(threads) { t in
                    var gathered = [Float](), scores = [Float]()
                    while let item = next.take(below: probed.count) {
                        let list = probed[item], qs = probers[list], m = lists[list].count, start = listStarts[list]
                        gathered.removeAll(keepingCapacity: true)
                        for q in qs { gathered.append(contentsOf: UnsafeBufferPointer(start: queries + q * d, count: d)) }
                        if scores.count < qs.count * m { scores = [Float](repeating: 0, count: qs.count * m) }
                        listVectors[list].withUnsafeBufferPointer { v in
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(qs.count), Int32(m), Int32(d), 1, gathered, Int32(d),
                                        v.baseAddress, Int32(d), 0, &scores, Int32(m))
                        }
                        listNorms[list].withUnsafeBufferPointer { norms in
                            scores.withUnsafeBufferPointer { sc in
                                for (r, q) in qs.enumerated() {
                                    NearestList(distances: dp + (t * n + q) * k, labels: pp + (t * n + q) * k, k: k, tiesByLabel: true)
                                        .offer(dots: sc.baseAddress! + r * m, norms: norms.baseAddress!, count: m,
                                               queryNorm: queryNorms[q]) { start + $0 }
                                }
                            }
                        }
                    }
                }
            }
        }
        let merged = NearestList.merge(labels: places, distances: distances, threads: threads, queries: n, k: k)
        // Places back to bank rows: the list whose range holds the place, and the row at that position.
        let labels = merged.labels.map { place -> Int in
            guard place >= 0 else { return -1 }
            var low = 0, high = lists.count  // the last list starting at or before `place`
            while high - low > 1 {
                let mid = (low + high) / 2
                if listStarts[mid] <= place { low = mid } else { high = mid }
            }
            return lists[low][place - listStarts[low]]
        }
        return Neighbors(k: k, labels: labels, distances: merged.distances)
    }
}
