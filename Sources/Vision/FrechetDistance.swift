import Tensor

/// What a Fréchet distance computation found.
public struct FrechetDistance: Equatable, Sendable {
    /// d² = |μ₁ − μ₂|² + tr Σ₁ + tr Σ₂ − 2 tr √(Σ₁Σ₂).
    public let value: Double
    /// tr √(Σ₁Σ₂), the term that needs the matrix square root.
    public let traceOfSquareRoot: Double
    /// Whether ε·I had to be added to both covariances (pytorch-fid's fallback for a singular product).
    public let usedOffset: Bool
}

/// Statistics FID cannot compare, with what is wrong.
public enum FrechetDistanceError: Error, Equatable, CustomStringConvertible {
    case dimensionMismatch(Int, Int)
    case nonFinite(String)

    public var description: String {
        switch self {
        case let .dimensionMismatch(a, b): return "statistics have different dimensions (\(a) and \(b))"
        case let .nonFinite(what): return "\(what) contains NaN or infinity"
        }
    }
}

extension FrechetDistance {
    /// The Fréchet distance between two Gaussians, as pytorch-fid's `calculate_frechet_distance`.
    ///
    /// pytorch-fid takes `scipy.linalg.sqrtm` of the (non-symmetric) product Σ₁Σ₂; only its trace
    /// is needed, and that equals Σ √μᵢ over the eigenvalues μᵢ of the symmetric positive
    /// semi-definite A = Λ^½Vᵀ Σ₂ VΛ^½, where Σ₁ = VΛVᵀ. Two symmetric eigendecompositions in
    /// float64 replace the Schur-based square root: faster, and exact on rank-deficient
    /// covariances (fewer images than dimensions), where Λ and μ have zeros that rounding may push
    /// slightly negative and that are clamped to 0. Directions with λ = 0 contribute nothing and
    /// are dropped before A is formed. If the eigensolver fails, ε·I is added to both covariances
    /// and the computation repeated, as pytorch-fid does when its product is singular.
    public static func between(_ a: GaussianStatistics, _ b: GaussianStatistics, eps: Double = 1e-6) throws -> FrechetDistance {
        guard a.dimension == b.dimension else { throw FrechetDistanceError.dimensionMismatch(a.dimension, b.dimension) }
        for (name, values) in [("first mean", a.mean), ("second mean", b.mean), ("first covariance", a.covariance),
                               ("second covariance", b.covariance)] where !values.allSatisfy(\.isFinite) {
            throw FrechetDistanceError.nonFinite(name)
        }
        let d = a.dimension
        do {
            return try FrechetReference(a).distance(to: b)
        } catch is LAPACKError {
            // The eigensolver did not converge: retry as pytorch-fid does for a singular product.
            var s1 = a.covariance, s2 = b.covariance
            for i in 0..<d { s1[i * d + i] += eps; s2[i * d + i] += eps }
            let offsetA = GaussianStatistics(dimension: d, count: a.count, mean: a.mean, covariance: s1)
            let offsetB = GaussianStatistics(dimension: d, count: b.count, mean: b.mean, covariance: s2)
            let r = try FrechetReference(offsetA).distance(to: offsetB)
            return FrechetDistance(value: r.value, traceOfSquareRoot: r.traceOfSquareRoot, usedOffset: true)
        }
    }
}

/// One side of many Fréchet distances (the real photographs' statistics), with the
/// eigendecomposition of its covariance done once, so comparing other statistics against it
/// (several methods, bootstrap resamples) costs one smaller eigendecomposition each.
public struct FrechetReference: Sendable {
    /// The statistics compared against.
    public let statistics: GaussianStatistics
    /// Λ^½Vᵀ over the directions with a non-zero eigenvalue: rank × dimension, row-major.
    let halfRoot: [Double]
    let rank: Int

    /// Decomposes the covariance of `statistics`.
    public init(_ statistics: GaussianStatistics) throws {
        for (name, values) in [("mean", statistics.mean), ("covariance", statistics.covariance)] where !values.allSatisfy(\.isFinite) {
            throw FrechetDistanceError.nonFinite("reference \(name)")
        }
        self.statistics = statistics
        let n = statistics.dimension
        let (lambda, rowsV) = try LinearAlgebra.symmetricEigen(statistics.covariance, n: n, vectors: true)
        let v = rowsV!
        // Directions whose eigenvalue is at rounding level are zero in exact arithmetic (rank-deficient
        // covariance) and contribute nothing to the trace.
        let largest = max(lambda.last ?? 0, 0)
        let keep = (0..<n).filter { lambda[$0] > 0 && lambda[$0] > largest * Double(n) * 1e-16 }
        var b = [Double](repeating: 0, count: keep.count * n)
        for (k, j) in keep.enumerated() {
            let s = lambda[j].squareRoot()
            for c in 0..<n { b[k * n + c] = s * v[j * n + c] }
        }
        halfRoot = b
        rank = keep.count
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

    /// tr √(Σ_ref Σ) = Σ √μᵢ over the eigenvalues of B Σ Bᵀ, B = Λ^½Vᵀ.
    func traceOfSquareRoot(_ s2: [Double]) throws -> Double {
        let n = statistics.dimension, r = rank
        if r == 0 { return 0 }
        var t = [Double](repeating: 0, count: r * n)
        var product = [Double](repeating: 0, count: r * r)
        halfRoot.withUnsafeBufferPointer { bp in
            s2.withUnsafeBufferPointer { sp in
                t.withUnsafeMutableBufferPointer { tp in
                    LinearAlgebra.dgemm(m: r, n: n, k: n, bp.baseAddress!, sp.baseAddress!, tp.baseAddress!)
                }
            }
            t.withUnsafeBufferPointer { tp in
                product.withUnsafeMutableBufferPointer { pp in
                    LinearAlgebra.dgemm(transB: true, m: r, n: r, k: n, tp.baseAddress!, bp.baseAddress!, pp.baseAddress!)
                }
            }
        }
        for i in 0..<r { for j in 0..<i {
            let mean = 0.5 * (product[i * r + j] + product[j * r + i])
            product[i * r + j] = mean; product[j * r + i] = mean
        } }
        let mu = try LinearAlgebra.symmetricEigen(product, n: r, vectors: false).values
        return mu.reduce(0) { $0 + max($1, 0).squareRoot() }
    }
}
