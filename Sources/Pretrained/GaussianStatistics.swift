import Tensor

/// Mean and covariance (float64) of a set of feature vectors: what FID compares.
public struct GaussianStatistics: Equatable, Sendable {
    /// Number of feature dimensions.
    public let dimension: Int
    /// Number of samples the statistics were computed from.
    public let count: Int
    /// Mean vector, `dimension` values.
    public let mean: [Double]
    /// Covariance (unbiased, divisor count − 1, as `numpy.cov`), `dimension`² values, row-major.
    public let covariance: [Double]

    /// Wraps precomputed statistics.
    public init(dimension: Int, count: Int, mean: [Double], covariance: [Double]) {
        precondition(mean.count == dimension && covariance.count == dimension * dimension,
                     "statistics of \(mean.count) means and \(covariance.count) covariances for dimension \(dimension)")
        self.dimension = dimension
        self.count = count
        self.mean = mean
        self.covariance = covariance
    }

    /// Statistics of the rows of `features` (count × dimension, row-major), in float64 with a
    /// two-pass (centre, then AᵀA) computation so large means do not cancel the covariance.
    public init(features: [Float], dimension: Int) {
        precondition(dimension > 0 && features.count % dimension == 0, "\(features.count) values are not rows of \(dimension)")
        self.init(rows: features.count / dimension, dimension: dimension) { i, out in
            for j in 0..<dimension { out[j] = Double(features[i * dimension + j]) }
        }
    }

    /// Statistics of the rows of float64 `samples` (count × dimension, row-major).
    public init(samples: [Double], dimension: Int) {
        precondition(dimension > 0 && samples.count % dimension == 0, "\(samples.count) values are not rows of \(dimension)")
        self.init(rows: samples.count / dimension, dimension: dimension) { i, out in
            for j in 0..<dimension { out[j] = samples[i * dimension + j] }
        }
    }

    /// Statistics of the rows `indices` of `features` (repeats allowed: a bootstrap resample).
    public init(features: [Float], dimension: Int, indices: [Int]) {
        self.init(rows: indices.count, dimension: dimension) { i, out in
            let base = indices[i] * dimension
            for j in 0..<dimension { out[j] = Double(features[base + j]) }
        }
    }

    private init(rows n: Int, dimension d: Int, row: (Int, UnsafeMutablePointer<Double>) -> Void) {
        precondition(n > 0, "statistics of no samples")
        var data = [Double](repeating: 0, count: n * d)
        var mean = [Double](repeating: 0, count: d)
        data.withUnsafeMutableBufferPointer { x in
            for i in 0..<n { row(i, x.baseAddress! + i * d) }
            for i in 0..<n { for j in 0..<d { mean[j] += x[i * d + j] } }
            for j in 0..<d { mean[j] /= Double(n) }
            for i in 0..<n { for j in 0..<d { x[i * d + j] -= mean[j] } }
        }
        var cov = [Double](repeating: 0, count: d * d)
        if n > 1 {
            data.withUnsafeBufferPointer { x in
                cov.withUnsafeMutableBufferPointer { c in
                    LinearAlgebra.dsyrkTransposed(rows: n, n: d, alpha: 1 / Double(n - 1), x.baseAddress!, beta: 0, c.baseAddress!)
                }
            }
            for i in 0..<d { for j in 0..<i { cov[i * d + j] = cov[j * d + i] } }  // mirror the upper triangle
        }
        self.init(dimension: d, count: n, mean: mean, covariance: cov)
    }
}
