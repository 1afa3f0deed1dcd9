import Foundation

/// A share of choices with its Wilson score interval and exact two-sided binomial test.
package struct ShareEstimate: Sendable, Equatable {
    package var successes: Int
    package var trials: Int
    /// successes / trials (NaN when there are no trials).
    package var share: Double
    package var low: Double
    package var high: Double
    /// Two-sided exact binomial test against 50%.
    package var pValue: Double

    /// The estimate for `successes` out of `trials` at 95% confidence.
    package init(successes: Int, trials: Int) {
        precondition(trials >= 0 && successes >= 0 && successes <= trials, "successes must be within 0...trials")
        self.successes = successes
        self.trials = trials
        share = trials == 0 ? .nan : Double(successes) / Double(trials)
        (low, high) = BinomialStatistics.wilsonInterval(successes: successes, trials: trials)
        pValue = BinomialStatistics.binomialTestTwoSided(successes: successes, trials: trials, p: 0.5)
    }
}

/// The statistics of the studies, matching SciPy's `binomtest` and its Wilson interval.
package enum BinomialStatistics {
    /// The 97.5% quantile of the standard normal distribution.
    package static let z95 = 1.959963984540054

    /// Wilson score interval without continuity correction (`binomtest(k, n).proportion_ci(method="wilson")`).
    package static func wilsonInterval(successes k: Int, trials n: Int, z: Double = z95) -> (low: Double, high: Double) {
        guard n > 0 else { return (.nan, .nan) }
        let n = Double(n), p = Double(k) / n, z2 = z * z
        let center = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z / (1 + z2 / n) * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return (max(0, center - half), min(1, center + half))
    }

    /// Probability of exactly `k` successes in `n` trials with success probability `p`.
    package static func pmf(_ k: Int, _ n: Int, _ p: Double) -> Double {
        if p == 0 { return k == 0 ? 1 : 0 }
        if p == 1 { return k == n ? 1 : 0 }
        let logChoose = lgamma(Double(n) + 1) - lgamma(Double(k) + 1) - lgamma(Double(n - k) + 1)
        return exp(logChoose + Double(k) * log(p) + Double(n - k) * log1p(-p))
    }

    /// Two-sided exact binomial test (SciPy's rule): the total probability of every outcome no more
    /// likely than the observed one, with SciPy's relative tolerance of 1e-7; 1 when n is 0.
    package static func binomialTestTwoSided(successes k: Int, trials n: Int, p: Double = 0.5) -> Double {
        guard n > 0 else { return 1 }
        let observed = pmf(k, n, p) * (1 + 1e-7)
        var total = 0.0
        for j in 0...n {
            let probability = pmf(j, n, p)
            if probability <= observed { total += probability }
        }
        return min(1, total)
    }
}
