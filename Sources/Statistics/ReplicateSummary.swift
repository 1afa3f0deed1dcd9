import Foundation

/// Replicate values of one metric (one per seed, say) with their mean, standard deviation and
/// Student-t confidence interval for the mean. One value has no interval: `low`/`high` are nil.
package struct ReplicateSummary: Sendable, Equatable {
    package var values: [Double]
    package var mean: Double
    /// Sample standard deviation (n − 1); nil for one value.
    package var sd: Double?
    package var low: Double?
    package var high: Double?
    package var confidence: Double

    package var n: Int { values.count }
    /// Half the interval's width, nil without an interval.
    package var halfWidth: Double? { high.map { $0 - mean } }

    package init(values: [Double], confidence: Double = 0.95) {
        precondition(!values.isEmpty, "a summary needs at least one value")
        self.values = values
        self.confidence = confidence
        mean = values.reduce(0, +) / Double(values.count)
        guard values.count >= 2 else { return }
        let n = Double(values.count)
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
        self.sd = sd
        let half = Statistics.studentTQuantile((1 + confidence) / 2, degreesOfFreedom: n - 1) * sd / n.squareRoot()
        low = mean - half
        high = mean + half
    }
}
