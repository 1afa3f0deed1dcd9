import Basics
import Tensor

/// What a KID computation found: the mean over subsets and their spread.
public struct KernelDistance: Equatable, Sendable {
    /// The mean of the subsets' unbiased MMD² (what clean-fid reports as KID).
    public let value: Double
    /// The standard deviation of the subsets' values (divisor S, as torch-fidelity's `kid_std`).
    public let standardDeviation: Double
    /// Images per side in every subset: min(generated, reference, max subset size).
    public let subsetSize: Int
    /// Each subset's unbiased MMD², in draw order.
    public let subsetValues: [Double]
}

/// The Kernel Inception Distance (Bińkowski et al., 2018) between two sets of feature vectors, as
/// clean-fid's `kernel_distance` computes it: the unbiased MMD² with the cubic polynomial kernel
/// k(x, y) = (xᵀy / d + 1)³, averaged over `subsets` random subsets of m images per side drawn
/// without replacement, m = min(both sizes, `maxSubsetSize`) (so every subset is the whole set when
/// both sets have m images). Kernel values are float64 inner products from BLAS: one matrix over
/// both sets when they are small enough (reused by every subset and bootstrap resample), else one
/// per subset.
public struct KernelInceptionDistance: Sendable {
    /// Feature dimension d.
    public let dimension: Int
    /// Rows in the generated and the reference set.
    public let generatedCount, referenceCount: Int
    private let generated: [Float], reference: [Float]
    /// k over every pair of rows of [generated; reference], when computed once.
    private let kernel: [Double]?

    /// Sets of at most this many rows together get one kernel matrix (4096² float64 = 128 MiB).
    public static let wholeKernelLimit = 4096

    /// Prepares a comparison of the rows of `generated` and `reference` (count × dimension, row-major).
    public init(generated: [Float], reference: [Float], dimension: Int, wholeKernelLimit: Int = Self.wholeKernelLimit) {
        precondition(dimension > 0 && generated.count % dimension == 0 && reference.count % dimension == 0,
                     "features are not rows of \(dimension)")
        self.dimension = dimension
        self.generated = generated
        self.reference = reference
        generatedCount = generated.count / dimension
        referenceCount = reference.count / dimension
        let total = generatedCount + referenceCount
        kernel = total <= wholeKernelLimit
            ? Self.kernelMatrix(count: total, dimension: dimension) { i in
                i < generated.count / dimension ? (generated, i) : (reference, i - generated.count / dimension)
            }
            : nil
    }

    /// KID over `subsets` subsets. `generatedIndices` (repeats allowed) replaces the generated set
    /// by those of its rows: a bootstrap resample. Subsets are drawn from `generator`.
    public func distance(subsets: Int = 100, maxSubsetSize: Int = 1000, generatedIndices: [Int]? = nil,
                         using generator: inout SeededGenerator) -> KernelDistance {
        precondition(subsets > 0 && maxSubsetSize >= 2, "KID needs at least one subset of at least 2 images")
        let genRows = generatedIndices ?? Array(0..<generatedCount)
        let m = min(genRows.count, referenceCount, maxSubsetSize)
        precondition(m >= 2, "KID needs at least 2 images on each side, got \(genRows.count) and \(referenceCount)")
        var values: [Double] = []
        values.reserveCapacity(subsets)
        if m == genRows.count && m == referenceCount {
            // Every subset is both whole sets: one value, S times (clean-fid recomputes it S times).
            values = Array(repeating: subsetMMD(generated: genRows, reference: Array(0..<m)), count: subsets)
        }
        for _ in values.count..<subsets {
            // clean-fid draws the reference side first; the order of draws is not part of the estimate.
            let y = Self.sample(m, of: referenceCount, using: &generator)
            let x = Self.sample(m, of: genRows.count, using: &generator).map { genRows[$0] }
            values.append(subsetMMD(generated: x, reference: y))
        }
        let mean = values.reduce(0, +) / Double(subsets)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(subsets)
        return KernelDistance(value: mean, standardDeviation: variance.squareRoot(), subsetSize: m, subsetValues: values)
    }

    /// m distinct indices of 0..<n: all of them in order when m == n, else a partial Fisher–Yates shuffle.
    static func sample(_ m: Int, of n: Int, using generator: inout SeededGenerator) -> [Int] {
        if m == n { return Array(0..<n) }
        var pool = Array(0..<n)
        for i in 0..<m { pool.swapAt(i, i + generator.below(n - i)) }
        return Array(pool[0..<m])
    }

    /// The unbiased MMD² between generated rows `x` and reference rows `y` (equal counts m):
    /// (Σ_{i≠j} k(xᵢ,xⱼ) + Σ_{i≠j} k(yᵢ,yⱼ)) / (m(m−1)) − 2 Σ_{i,j} k(xᵢ,yⱼ) / m².
    private func subsetMMD(generated x: [Int], reference y: [Int]) -> Double {
        let m = x.count
        let (matrix, n, px, py): ([Double], Int, [Int], [Int])
        if let kernel {
            (matrix, n, px, py) = (kernel, generatedCount + referenceCount, x, y.map { $0 + generatedCount })
        } else {
            let gen = generated, ref = reference, d = dimension
            let local = Self.kernelMatrix(count: 2 * m, dimension: d) { r in r < m ? (gen, x[r]) : (ref, y[r - m]) }
            (matrix, n, px, py) = (local, 2 * m, Array(0..<m), Array(m..<(2 * m)))
        }
        return matrix.withUnsafeBufferPointer { k -> Double in
            func within(_ p: [Int]) -> Double {
                var sum = 0.0
                for i in 0..<m {
                    let row = p[i] * n
                    for j in (i + 1)..<m { sum += k[row + p[j]] }
                }
                return 2 * sum
            }
            var cross = 0.0
            for i in 0..<m {
                let row = px[i] * n
                for j in 0..<m { cross += k[row + py[j]] }
            }
            return (within(px) + within(py)) / Double(m * (m - 1)) - 2 * cross / Double(m * m)
        }
    }

    /// The full symmetric matrix (xᵀy / d + 1)³ over `n` rows (the r-th taken from the set and
    /// row index `source(r)` returns), with one float64 rank-k update (`dsyrk`).
    private static func kernelMatrix(count n: Int, dimension d: Int, source: (Int) -> ([Float], Int)) -> [Double] {
        // Column r of the d×n matrix A is the r-th feature vector, so AᵀA is the n×n Gram matrix.
        var a = [Double](repeating: 0, count: n * d)
        for r in 0..<n {
            let (set, i) = source(r)
            set.withUnsafeBufferPointer { s in
                for j in 0..<d { a[j * n + r] = Double(s[i * d + j]) }
            }
        }
        var k = [Double](repeating: 0, count: n * n)
        a.withUnsafeBufferPointer { ap in
            k.withUnsafeMutableBufferPointer { kp in
                // Upper triangle of AᵀA / d, then the kernel and its mirror.
                LinearAlgebra.dsyrkTransposed(rows: d, n: n, alpha: 1 / Double(d), ap.baseAddress!, beta: 0, kp.baseAddress!)
                for i in 0..<n {
                    for j in i..<n {
                        let t = kp[i * n + j] + 1
                        let v = t * t * t
                        kp[i * n + j] = v
                        kp[j * n + i] = v
                    }
                }
            }
        }
        return k
    }
}
