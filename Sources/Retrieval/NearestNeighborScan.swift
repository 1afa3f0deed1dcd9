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

    /// Offers candidates whose squared distances are `queryNorm + (norms[j] − 2·dots[j])` (clamped at 0),
    /// labelled `label(j)`, for j in 0..<count. Most candidates lose to the current k-th best, so
    /// blocks of 16 are screened by their minimum (vector min of halves; the stdlib's `any(mask)` is
    /// not inlined here and made the screen slower than FAISS's scalar loop) before any is inserted.
    @inline(__always)
    func offer(dots: UnsafePointer<Float>, norms: UnsafePointer<Float>, count: Int, queryNorm: Float,
               label: (Int) -> Int) {
        var j = 0
        while j + 16 <= count {
            let dot = UnsafeRawPointer(dots + j).loadUnaligned(as: SIMD16<Float>.self)
            let norm = UnsafeRawPointer(norms + j).loadUnaligned(as: SIMD16<Float>.self)
            let partial = norm - 2 * dot  // the distance less the query's norm
            let a = pointwiseMin(partial.lowHalf, partial.highHalf), b = pointwiseMin(a.lowHalf, a.highHalf)
            let c = pointwiseMin(b.lowHalf, b.highHalf)
            // The screen only skips blocks; `insert` decides. Its margin of a few ulps keeps a
            // candidate whose rounded distance would just win from being screened out.
            let worst = distances[k - 1]
            if Swift.min(c[0], c[1]) < worst - queryNorm + 1e-6 * (worst + queryNorm) {
                // The same arithmetic as the scalar tail, so a row's distance does not depend on its position.
                for t in j..<(j + 16) { insert(max(0, queryNorm + partial[t - j]), label(t)) }
            }
            j += 16
        }
        while j < count {
            insert(max(0, queryNorm + (norms[j] - 2 * dots[j])), label(j))
            j += 1
        }
    }

    @inline(__always)
    func insert(_ distance: Float, _ label: Int) {
        guard distance < distances[k - 1] else { return }
        var slot = k - 1
        while slot > 0, distances[slot - 1] > distance {
            distances[slot] = distances[slot - 1]
            labels[slot] = labels[slot - 1]
            slot -= 1
        }
        distances[slot] = distance
        labels[slot] = label
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
