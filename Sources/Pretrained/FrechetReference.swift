import Tensor

/// One side of many Fréchet distances (the real photographs' statistics), with its covariance
/// factored once, so comparing other statistics against it (several methods, bootstrap
/// resamples) costs two triangular products and one eigenvalue computation each.
public struct FrechetReference: Sendable {
    /// The statistics compared against.
    public let statistics: GaussianStatistics
    /// U of the pivoted Cholesky PᵀΣP = UᵀU, first `rank` rows: rank × dimension, row-major.
    let factor: [Double]
    /// The pivot order (column k of ΣP is column pivot[k] of Σ).
    let pivot: [Int]
    let rank: Int

    /// Factors the covariance of `statistics`.
    public init(_ statistics: GaussianStatistics) throws {
        for (name, values) in [("mean", statistics.mean), ("covariance", statistics.covariance)] where !values.allSatisfy(\.isFinite) {
            throw FrechetDistanceError.nonFinite("reference \(name)")
        }
        self.statistics = statistics
        let n = statistics.dimension
        // Pivoted Cholesky reveals the rank: a covariance of fewer images than dimensions is
        // singular, and its null directions contribute nothing to the trace.
        let (u, pivot, rank) = try LinearAlgebra.pivotedCholesky(statistics.covariance, n: n)
        factor = Array(u[0..<(rank * n)])
        self.pivot = pivot
        self.rank = rank
    }

    /// The Fréchet distance from the reference to `other`.
    public func distance(to other: GaussianStatistics) throws -> FrechetDistance {
        let a = statistics, d = a.dimension
        guard other.dimension == d else { throw FrechetDistanceError.dimensionMismatch(d, other.dimension) }
        for (name, values) in [("mean", other.mean), ("covariance", other.covariance)] where !values.allSatisfy(\.isFinite) {
            throw FrechetDistanceError.nonFinite(name)
        }
        var meanTerm = 0.0, traces = 0.0
        for i in 0..<d {
            let diff = a.mean[i] - other.mean[i]
            meanTerm += diff * diff
            traces += a.covariance[i * d + i] + other.covariance[i * d + i]
        }
        let trace = try traceOfSquareRoot(other.covariance)
        return FrechetDistance(value: meanTerm + traces - 2 * trace, traceOfSquareRoot: trace, usedOffset: false)
    }

    /// tr √(Σ_ref Σ) = Σ √μᵢ over the eigenvalues μᵢ of U (PᵀΣP) Uᵀ, which shares its non-zero
    /// eigenvalues with Σ_ref Σ = P UᵀU Pᵀ Σ.
    func traceOfSquareRoot(_ s2: [Double]) throws -> Double {
        let n = statistics.dimension, r = rank
        if r == 0 { return 0 }
        var permuted = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            let row = pivot[i] * n
            for j in 0..<n { permuted[i * n + j] = s2[row + pivot[j]] }
        }
        var product: [Double]
        if r == n {
            // Full rank: the congruence U·S·Uᵀ through dsygst, which exploits symmetry.
            try LinearAlgebra.congruenceByUpperFactor(&permuted, factor, n: n)
            product = permuted
        } else {
            var t = [Double](repeating: 0, count: r * n)
            product = [Double](repeating: 0, count: r * r)
            factor.withUnsafeBufferPointer { u in
                permuted.withUnsafeBufferPointer { sp in
                    t.withUnsafeMutableBufferPointer { tp in
                        LinearAlgebra.dgemm(m: r, n: n, k: n, u.baseAddress!, sp.baseAddress!, tp.baseAddress!)
                    }
                }
                t.withUnsafeBufferPointer { tp in
                    product.withUnsafeMutableBufferPointer { pp in
                        LinearAlgebra.dgemm(transB: true, m: r, n: r, k: n, tp.baseAddress!, u.baseAddress!, pp.baseAddress!)
                    }
                }
            }
        }
        // The product is symmetric up to rounding; the eigensolver reads one triangle only.
        let mu: [Double]
        do {
            mu = try LinearAlgebra.symmetricEigenvalues(product, n: r)
        } catch {
            mu = try LinearAlgebra.symmetricEigen(product, n: r, vectors: false).values
        }
        return mu.reduce(0) { $0 + max($1, 0).squareRoot() }
    }
}
