import Foundation
import Tensor

/// A k-nearest-neighbour search over a bank's rows computed in this process with sgemm, in place of
/// FAISS's own distance loops (Debian builds FAISS for baseline x86-64, without AVX2, while
/// OpenBLAS runs its AVX-512 kernel). Squared L2 distances, as FAISS reports them.
public protocol NearestNeighborScan: AnyObject, Sendable {
    /// The `k` nearest bank rows of each of `count` row-major queries, best first.
    func search(_ queries: UnsafePointer<Float>, count: Int, k: Int) throws -> Neighbors
}

/// One query's k best candidates so far, kept sorted in caller-owned storage.
struct NearestList {
    let distances: UnsafeMutablePointer<Float>
    let labels: UnsafeMutablePointer<Int>
    let k: Int
    /// Whether equal distances rank by label (the smaller first) rather than by arrival (the earlier
    /// first): the same lists when labels arrive in ascending order, and lists that do not depend on
    /// the order when they do not (blocks of one scan spread over threads and merged).
    var tiesByLabel = false

    /// Offers candidates whose squared distances are `queryNorm + (norms[j] − 2·dots[j])` (clamped at 0),
    /// labelled `label(j)`, for j in 0..<count. Most candidates lose to the current k-th best, so
    /// blocks of 16 are screened by one vector comparison with the current k-th best before any is
    /// inserted (`any` of the lanes' mask; the minimum by a tree of `pointwiseMin`, which was not
    /// inlined, took a third of the bench's scan).
    @inline(__always)
    func offer(dots: UnsafePointer<Float>, norms: UnsafePointer<Float>, count: Int, queryNorm: Float,
               label: (Int) -> Int) {
        // The screen only skips blocks; `insert` decides. Its margin of a few ulps keeps a candidate
        // whose rounded distance would just win from being screened out. It changes only when a
        // block was inserted (building the vector on every block cost more than the comparison).
        func screen() -> SIMD16<Float> {
            let worst = distances[k - 1]
            return SIMD16(repeating: worst - queryNorm + 1e-6 * (worst + queryNorm))
        }
        var limit = screen()
        var j = 0
        while j + 16 <= count {
            let dot = UnsafeRawPointer(dots + j).loadUnaligned(as: SIMD16<Float>.self)
            let norm = UnsafeRawPointer(norms + j).loadUnaligned(as: SIMD16<Float>.self)
            let partial = norm - 2 * dot  // the distance less the query's norm
            if any(partial .< limit) {
                // The same arithmetic as the scalar tail, so a row's distance does not depend on its position.
                for t in j..<(j + 16) { insert(max(0, queryNorm + partial[t - j]), label(t)) }
                limit = screen()
            }
            j += 16
        }
        while j < count {
            insert(max(0, queryNorm + (norms[j] - 2 * dots[j])), label(j))
            j += 1
        }
    }

    /// Whether (distance, label) ranks before (other, otherLabel).
    @inline(__always)
    func ranks(_ distance: Float, _ label: Int, before other: Float, _ otherLabel: Int) -> Bool {
        distance < other || (tiesByLabel && distance == other && label < otherLabel)
    }

    @inline(__always)
    func insert(_ distance: Float, _ label: Int) {
        guard ranks(distance, label, before: distances[k - 1], labels[k - 1]) else { return }
        var slot = k - 1
        while slot > 0, ranks(distance, label, before: distances[slot - 1], labels[slot - 1]) {
            distances[slot] = distances[slot - 1]
            labels[slot] = labels[slot - 1]
            slot -= 1
        }
        distances[slot] = distance
        labels[slot] = label
    }
}

extension NearestList {
    /// Per-thread top-k lists of one scan (thread-major [threads, queries, k], equal distances ranked
    /// by label) merged into each query's top k by (distance, label): the lists one thread would have
    /// found seeing every candidate, whichever thread saw which.
    static func merge(labels: [Int], distances: [Float], threads: Int, queries n: Int, k: Int) -> Neighbors {
        guard threads > 1 else { return Neighbors(k: k, labels: labels, distances: distances) }
        var mergedLabels = [Int](repeating: -1, count: n * k)
        var mergedDistances = [Float](repeating: .infinity, count: n * k)
        mergedLabels.withUnsafeMutableBufferPointer { ml in
            mergedDistances.withUnsafeMutableBufferPointer { md in
                for i in 0..<n {
                    let list = NearestList(distances: md.baseAddress! + i * k, labels: ml.baseAddress! + i * k, k: k, tiesByLabel: true)
                    for t in 0..<threads {
                        for j in 0..<k where labels[(t * n + i) * k + j] >= 0 {
                            list.insert(distances[(t * n + i) * k + j], labels[(t * n + i) * k + j])
                        }
                    }
                }
            }
        }
        return Neighbors(k: k, labels: mergedLabels, distances: mergedDistances)
    }
}

/// Hands out the pieces of a scan (tiles, lists) to its threads, each once.
final class WorkCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0

    func take(below count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
}

extension NearestNeighborScan {
    /// Squared norms of `rows` row-major vectors of length `dimension`, rows split over the threads.
    static func squaredNorms(_ x: UnsafePointer<Float>, rows: Int, dimension d: Int) -> [Float] {
        var norms = [Float](repeating: 0, count: rows)
        norms.withUnsafeMutableBufferPointer { out in
            let o = out.baseAddress!
            Parallel.forEachRange(rows, work: d) { range in
                for i in range {
                    var s: Float = 0
                    for k in 0..<d { s += x[i * d + k] * x[i * d + k] }
                    o[i] = s
                }
            }
        }
        return norms
    }
}
