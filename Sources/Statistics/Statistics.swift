import Basics
import Foundation

/// The statistics results are reported with, checked against SciPy 1.10 (scripts/reference/
/// stats_reference.py): Student-t quantiles, the Wilcoxon signed-rank test, the sign test and a
/// seeded paired bootstrap.
package enum Statistics {
    /// The Student-t cumulative distribution function.
    package static func studentTCDF(_ t: Double, degreesOfFreedom v: Double) -> Double {
        let x = v / (v + t * t)
        let tail = 0.5 * regularizedIncompleteBeta(x, a: v / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// The Student-t quantile: the t with CDF `p` (bisection on the CDF, to machine precision).
    package static func studentTQuantile(_ p: Double, degreesOfFreedom v: Double) -> Double {
        precondition(p > 0 && p < 1 && v > 0, "p in (0, 1) and positive degrees of freedom")
        if p == 0.5 { return 0 }
        if p < 0.5 { return -studentTQuantile(1 - p, degreesOfFreedom: v) }
        var low = 0.0, high = 1.0
        while studentTCDF(high, degreesOfFreedom: v) < p { high *= 2 }
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if middle == low || middle == high { break }
            if studentTCDF(middle, degreesOfFreedom: v) < p { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// I_x(a, b), by the continued fraction of the incomplete beta function (modified Lentz).
    package static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        // The continued fraction converges quickly for x < (a + 1) / (a + b + 2); use symmetry otherwise.
        if x > (a + 1) / (a + b + 2) { return 1 - regularizedIncompleteBeta(1 - x, a: b, b: a) }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var fraction = d
        for m in 1...500 {
            let m = Double(m)
            for numerator in [m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                              -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))] {
                d = 1 + numerator * d
                if abs(d) < tiny { d = tiny }
                c = 1 + numerator / c
                if abs(c) < tiny { c = tiny }
                d = 1 / d
                fraction *= d * c
            }
            if abs(d * c - 1) < 1e-16 { break }
        }
        return exp(logFront) * fraction / a
    }

    /// The two-sided Wilcoxon signed-rank test of paired differences, as SciPy 1.10's `wilcoxon`
    /// with its defaults: the exact null distribution when there are at most 50 differences and
    /// none is zero; otherwise zeros are dropped and the normal approximation is used (tie-corrected
    /// variance, no continuity correction). Returns min(W+, W−) and the p-value (1 when nothing is left).
    package static func wilcoxonSignedRank(_ differences: [Double]) -> (statistic: Double, pValue: Double) {
        let exact = differences.count <= 50 && !differences.contains(0)
        let d = exact ? differences : differences.filter { $0 != 0 }
        let n = d.count
        guard n > 0 else { return (0, 1) }
        let ranks = averageRanks(d.map(abs))
        let plus = zip(d, ranks).filter { $0.0 > 0 }.reduce(0) { $0 + $1.1 }
        let minus = zip(d, ranks).filter { $0.0 < 0 }.reduce(0) { $0 + $1.1 }
        let statistic = min(plus, minus)
        if exact {
            // Counts of subsets of 1...n by rank sum: the null distribution of W+ (SciPy takes the
            // integer part of W+ when ties make it fractional).
            let total = n * (n + 1) / 2
            var counts = [Double](repeating: 0, count: total + 1)
            counts[0] = 1
            for r in 1...n { for s in stride(from: total, through: r, by: -1) { counts[s] += counts[s - r] } }
            let all = counts.reduce(0, +)
            let w = Int(plus)
            if 2 * w == total { return (statistic, 1) }
            let less = counts[0...w].reduce(0, +) / all, greater = counts[w...].reduce(0, +) / all
            return (statistic, min(1, max(0, 2 * min(less, greater))))
        }
        let nn = Double(n)
        var variance = nn * (nn + 1) * (2 * nn + 1) / 24
        var groups: [Double: Int] = [:]
        for r in ranks { groups[r, default: 0] += 1 }
        variance -= groups.values.reduce(0) { $0 + Double($1 * ($1 * $1 - 1)) } / 48
        let z = (statistic - nn * (nn + 1) / 4) / variance.squareRoot()
        return (statistic, min(1, 2 * normalCDF(-abs(z))))
    }

    /// The exact two-sided sign test: positive against negative differences, zeros dropped; the
    /// binomial test at p = 1/2 over the nonzero differences.
    package static func signTest(_ differences: [Double]) -> Double {
        let positive = differences.filter { $0 > 0 }.count, negative = differences.filter { $0 < 0 }.count
        return BinomialStatistics.binomialTestTwoSided(successes: positive, trials: positive + negative, p: 0.5)
    }

    /// A percentile interval of the mean difference from `resamples` resamples of the pairs, drawn
    /// with `SeededGenerator(seed:)`: the same seed gives the same interval.
    package static func pairedBootstrap(_ differences: [Double], resamples: Int = 10_000, confidence: Double = 0.95,
                                       seed: UInt64 = 0) -> (low: Double, high: Double) {
        precondition(!differences.isEmpty && resamples > 0, "needs differences and resamples")
        var generator = SeededGenerator(seed: seed)
        var means = [Double](repeating: 0, count: resamples)
        for r in 0..<resamples {
            var sum = 0.0
            for _ in differences { sum += differences[generator.below(differences.count)] }
            means[r] = sum / Double(differences.count)
        }
        means.sort()
        func percentile(_ q: Double) -> Double {
            let position = q * Double(resamples - 1)
            let below = Int(position.rounded(.down)), above = min(resamples - 1, below + 1)
            return means[below] + (means[above] - means[below]) * (position - Double(below))
        }
        return (percentile((1 - confidence) / 2), percentile((1 + confidence) / 2))
    }

    /// Ranks 1…n with ties given their average rank.
    static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
            let rank = Double(i + j + 2) / 2
            for k in i...j { ranks[order[k]] = rank }
            i = j + 1
        }
        return ranks
    }

    static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.squareRoot()) }
}
