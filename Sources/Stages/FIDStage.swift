import Basics
import Foundation
import Imaging
import Pipeline
import Tensor
import Pretrained

/// `fid`: Fréchet Inception Distance between generated images and a reference set at every
/// requested tap, as pytorch-fid computes it, and beside it the Kernel Inception Distance as
/// clean-fid computes it (unbiased at small n, with its spread over subsets). Either input may be
/// a folder of images or the `stats` output of an `inception_stats` stage (so real photographs are
/// processed once).
package struct FIDStage: Stage {
    package init() {}

    static let bootstrap = Param<Int>("bootstrap", default: 0, rule: .atLeast(0),
                                      doc: "resamples of the generated set for a confidence interval (0: none; each costs one FID per tap)")
    static let bootstrapSeed = Param<Int>("bootstrap_seed", default: 0, doc: "seed of the bootstrap resampling")
    static let confidence = Param<Double>("confidence", default: 0.95,
                                          rule: ParamRule("in (0, 1)") { ($0.doubleValue ?? 0.5) > 0 && ($0.doubleValue ?? 0.5) < 1 },
                                          doc: "coverage of the bootstrap percentile interval")
    static let kid = Param<Bool>("kid", default: true, doc: "also compute KID (kid<D>, kid<D>_std, and with bootstrap kid<D>_ci_low/high)")
    static let numSubsets = Param<Int>("num_subsets", default: 100, rule: .atLeast(1), doc: "KID subsets (clean-fid's num_subsets)")
    static let maxSubsetSize = Param<Int>("max_subset_size", default: 1000, rule: .atLeast(2),
                                          doc: "images per side in a KID subset at most (clean-fid's max_subset_size); all of the smaller set when fewer")
    static let subsetSeed = Param<Int>("subset_seed", default: 0, doc: "seed of KID's subset draws")

    package var descriptor: StageDescriptor {
        StageDescriptor(
            kind: "fid", version: 2,
            summary: "Fréchet and Kernel Inception Distances at the 64/192/768/2048 taps, with optional bootstrap intervals",
            params: InceptionStatsStage.extractionParams + [Self.bootstrap.spec, Self.bootstrapSeed.spec, Self.confidence.spec,
                                                           Self.kid.spec, Self.numSubsets.spec, Self.maxSubsetSize.spec, Self.subsetSeed.spec],
            inputs: [("images", true), ("reference", true)], outputs: ["report"],
            metrics: { p in
                let suffix = p[InceptionWeightsChoice.weights] == "random" ? "_random_weights" : ""
                let taps = InceptionStatsStage.taps(p)
                let fid = taps.map { "fid\($0)\(suffix)" }, kid = p[Self.kid] ? taps.map { "kid\($0)\(suffix)" } : []
                let intervals = p[Self.bootstrap] > 0 ? (fid + kid).flatMap { [$0 + "_ci_low", $0 + "_ci_high"] } : []
                return (fid + kid + kid.map { $0 + "_std" } + intervals).map { MetricDeclaration($0) }
                    + MetricDeclaration.results("random_weights") + MetricDeclaration.bookkeeping("images", "reference_images")
            })
    }

    package func run(_ context: StageContext) throws -> StageResult {
        let p = context.params
        let weights = InceptionWeightsChoice(p, workspace: context.workspace)
        let taps = InceptionStatsStage.taps(p)
        let policy = p[InceptionStatsStage.badImages]
        let resamples = p[Self.bootstrap], confidence = p[Self.confidence]
        let preprocess = p[InceptionPreprocess.param]
        let kid = p[Self.kid] ? KIDSettings(subsets: p[Self.numSubsets], maxSubsetSize: p[Self.maxSubsetSize], seed: p[Self.subsetSeed]) : nil
        context.log.write("Inception weights: \(weights.label)")
        if weights.isRandom { context.log.write("WARNING: random weights; metric names end in _random_weights") }
        context.log.write("preprocessing (\(preprocess.rawValue)): \(preprocess.summary)")

        var network: FIDInception?
        func statistics(_ name: String) throws -> InceptionStatistics {
            let url = try context.input(name)
            if InceptionStatistics.isStatisticsFolder(url) {
                let s = try InceptionStatistics.read(from: url)
                guard weights.accepts(statisticsLabel: s.weightsLabel) else {
                    throw StageFailure.message("\(name): statistics in \(url.path) were computed with \(s.weightsLabel), "
                        + "this stage uses \(weights.label); features of different networks cannot be compared"
                        + (weights.accepts(statisticsLabel: s.weightsLabel, tfInceptionIsOfficial: true)
                            ? " (`tf-inception` and `official` accept each other once `pleinair weights import inception` "
                                + "has found the imported tensors equal to pytorch-fid's file in the weights folder)" : ""))
                }
                guard s.preprocess == preprocess else {
                    throw StageFailure.message("\(name): statistics in \(url.path) were made with preprocess '\(s.preprocess.rawValue)', "
                        + "this stage uses '\(preprocess.rawValue)'; FID and KID change with the resize, so they cannot be compared "
                        + "(set `preprocess: \(s.preprocess.rawValue)` here, or recompute the statistics with `preprocess: \(preprocess.rawValue)`)")
                }
                guard Set(taps).isSubset(of: s.taps) else {
                    throw StageFailure.message("\(name): statistics in \(url.path) have taps \(s.taps), this stage needs \(taps)")
                }
                context.log.write("\(name): \(s.count) images from cached statistics")
                return s
            }
            if network == nil { network = try weights.load() }
            let (s, skipped) = try InceptionStatistics.compute(folder: url, network: network!, taps: taps,
                                                               batchSize: p[InceptionStatsStage.batchSizeParam], policy: policy,
                                                               weights: weights, preprocess: preprocess, context: context)
            for k in skipped { context.log.write("\(name): skipped \(k.path): \(k.error)") }
            context.log.write("\(name): \(s.count) images")
            return s
        }
        let generated = try statistics("images"), reference = try statistics("reference")

        var metrics: [Metric] = [Metric(name: "images", value: Double(generated.count)),
                                 Metric(name: "reference_images", value: Double(reference.count)),
                                 Metric(name: "random_weights", value: weights.isRandom ? 1 : 0)]
        var rows: [[String: Any]] = []
        var rng = SeededGenerator(seed: UInt64(truncatingIfNeeded: p[Self.bootstrapSeed]))
        for dim in taps {
            try context.checkCancelled()
            let ref = try FrechetReference(reference.statistics[dim]!)
            let fid = try ref.distance(to: generated.statistics[dim]!)
            let name = "fid\(dim)\(weights.metricSuffix)"
            metrics.append(Metric(name: name, value: fid.value))
            var row: [String: Any] = ["tap": dim, "fid": fid.value, "metric": name]
            context.log.write(String(format: "%@ = %.6f", name, fid.value))
            if resamples > 0 {
                var values: [Double] = []
                let n = generated.count, features = generated.features[dim]!
                for _ in 0..<resamples {
                    try context.checkCancelled()
                    let indices = (0..<n).map { _ in Int(rng.next() % UInt64(n)) }
                    values.append(try ref.distance(to: GaussianStatistics(features: features, dimension: dim, indices: indices)).value)
                }
                let (low, high) = Self.percentileInterval(values, confidence: confidence)
                metrics.append(Metric(name: "\(name)_ci_low", value: low))
                metrics.append(Metric(name: "\(name)_ci_high", value: high))
                row["ci_low"] = low; row["ci_high"] = high
                context.log.write(String(format: "%@ %.0f%% bootstrap interval [%.6f, %.6f] from %d resamples", name,
                                         confidence * 100, low, high, resamples))
            }
            if let kid {
                try Self.kernelDistance(dim: dim, generated: generated, reference: reference, settings: kid, resamples: resamples,
                                        bootstrapSeed: p[Self.bootstrapSeed], confidence: confidence, suffix: weights.metricSuffix,
                                        metrics: &metrics, row: &row, context: context)
            }
            rows.append(row)
        }
        var report: [String: Any] = [
            "weights": weights.label, "random_weights": weights.isRandom,
            "preprocess": preprocess.rawValue, "preprocessing": preprocess.summary,
            "images": generated.count, "reference_images": reference.count, "taps": rows,
            "bootstrap": ["resamples": resamples, "confidence": confidence, "resampled": "generated set; reference statistics fixed"],
        ]
        if let kid {
            report["kid"] = ["num_subsets": kid.subsets, "max_subset_size": kid.maxSubsetSize, "subset_seed": kid.seed,
                             "kernel": "(x.y / d + 1)^3", "estimate": "mean of the subsets' unbiased MMD^2 (clean-fid); std over subsets (torch-fidelity)"]
        }
        try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
            .write(to: try context.output("report"))
        return StageResult(metrics: metrics)
    }

    /// The (1 − c)/2 and (1 + c)/2 quantiles of `values`, linearly interpolated.
    static func percentileInterval(_ values: [Double], confidence: Double) -> (Double, Double) {
        let sorted = values.sorted()
        func quantile(_ q: Double) -> Double {
            let position = q * Double(sorted.count - 1)
            let i = Int(position.rounded(.down)), f = position - Double(i)
            return i + 1 < sorted.count ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i]
        }
        return (quantile((1 - confidence) / 2), quantile((1 + confidence) / 2))
    }
}
