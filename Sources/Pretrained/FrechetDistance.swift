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
    /// semi-definite A = U PᵀΣ₂P Uᵀ, where PᵀΣ₁P = UᵀU is a pivoted Cholesky factorisation. In
    /// float64, one rank-revealing factorisation and one symmetric eigenvalue computation replace
    /// the Schur-based square root: faster, and exact on rank-deficient covariances (fewer images
    /// than dimensions), whose null directions are dropped; eigenvalues that rounding pushes
    /// slightly below zero are clamped to 0. If LAPACK fails, ε·I is added to both covariances
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
