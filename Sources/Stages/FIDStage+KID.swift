import Basics
import Pipeline
import Pretrained

/// KID's parameters in a `fid` stage (clean-fid's `num_subsets`, `max_subset_size`) and its seed.
struct KIDSettings {
    var subsets: Int
    var maxSubsetSize: Int
    var seed: Int
}

extension FIDStage {
    /// KID at tap `dim` into `metrics` (kid<D><suffix>, _std, and with bootstrap _ci_low/_ci_high)
    /// and the report's `row`. Subsets are seeded per tap; bootstrap resamples of the generated set
    /// (each a whole KID over fresh subsets) are seeded apart from FID's, so adding KID leaves FID's
    /// intervals as they were.
    static func kernelDistance(dim: Int, generated: InceptionStatistics, reference: InceptionStatistics, settings: KIDSettings,
                               resamples: Int, bootstrapSeed: Int, confidence: Double, suffix: String,
                               metrics: inout [Metric], row: inout [String: Any], context: StageContext) throws {
        let kid = KernelInceptionDistance(generated: generated.features[dim]!, reference: reference.features[dim]!, dimension: dim)
        var subsets = SeededGenerator(seed: SeededGenerator.derive(UInt64(truncatingIfNeeded: settings.seed), UInt64(dim)))
        let estimate = kid.distance(subsets: settings.subsets, maxSubsetSize: settings.maxSubsetSize, using: &subsets)
        let name = "kid\(dim)\(suffix)"
        metrics.append(Metric(name: name, value: estimate.value))
        metrics.append(Metric(name: "\(name)_std", value: estimate.standardDeviation))
        row["kid"] = estimate.value; row["kid_std"] = estimate.standardDeviation
        row["kid_metric"] = name; row["kid_subset_size"] = estimate.subsetSize
        context.log.write(String(format: "%@ = %.6g ± %.3g (std over %d subsets of %d)", name, estimate.value,
                                 estimate.standardDeviation, settings.subsets, estimate.subsetSize))
        guard resamples > 0 else { return }
        var draws = SeededGenerator(seed: SeededGenerator.derive(UInt64(truncatingIfNeeded: bootstrapSeed), SeededGenerator.code("kid"), UInt64(dim)))
        var values: [Double] = []
        let n = kid.generatedCount
        for _ in 0..<resamples {
            try context.checkCancelled()
            let indices = (0..<n).map { _ in draws.below(n) }
            values.append(kid.distance(subsets: settings.subsets, maxSubsetSize: settings.maxSubsetSize,
                                       generatedIndices: indices, using: &draws).value)
        }
        let (low, high) = percentileInterval(values, confidence: confidence)
        metrics.append(Metric(name: "\(name)_ci_low", value: low))
        metrics.append(Metric(name: "\(name)_ci_high", value: high))
        row["kid_ci_low"] = low; row["kid_ci_high"] = high
        context.log.write(String(format: "%@ %.0f%% bootstrap interval [%.6g, %.6g] from %d resamples", name,
                                 confidence * 100, low, high, resamples))
    }
}
