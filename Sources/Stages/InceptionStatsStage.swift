import Foundation
import Imaging
import Pipeline
import Pretrained

/// `inception_stats`: Inception features, mean and covariance of a folder of images at the
/// requested taps, stored as an artifact so the real photographs' statistics are computed once
/// and shared by every `fid` stage (and experiment) that compares against them.
package struct InceptionStatsStage: Stage {
    package init() {}

    /// Parameters shared with `fid`: which taps, which weights, how images are batched and read.
    static let tapsParam = Param<[Int]>("taps", default: FIDInception.tapDimensions, rule: .nonEmptyAmong(FIDInception.tapDimensions),
                                        doc: "Inception feature dimensions: 64 (first max pool), 192 (second max pool), 768 (pre-aux), 2048 (final pool)")
    static let batchSizeParam = Param<Int>("batch_size", default: 16, rule: .atLeast(1), doc: "images per network pass")
    static let badImages = Param<BadImagePolicy>("bad_images", default: .fail,
                                                 doc: "fail on an image that does not decode, or skip it (skips are counted in the metrics)")
    static let extractionParams: [ParamSpec] = [tapsParam.spec, batchSizeParam.spec, badImages.spec, InceptionPreprocess.param.spec]
        + InceptionWeightsChoice.params

    package var descriptor: StageDescriptor {
        StageDescriptor(kind: "inception_stats", version: 2,
                        summary: "Inception-v3 features, mean and covariance (float64) of a folder of images, per tap",
                        params: Self.extractionParams, inputs: [("images", true)], outputs: ["stats"],
                        metrics: { _ in MetricDeclaration.results("random_weights") + MetricDeclaration.bookkeeping("images", "skipped") })
    }

    /// The `taps` list (checked at load time), without repeats, sorted.
    static func taps(_ params: [String: ParamValue]) -> [Int] { Array(Set(params[tapsParam])).sorted() }

    package func run(_ context: StageContext) throws -> StageResult {
        let weights = InceptionWeightsChoice(context.params, workspace: context.workspace)
        let taps = Self.taps(context.params)
        let policy = context.params[Self.badImages]
        let preprocess = context.params[InceptionPreprocess.param]
        let network = try weights.load()
        context.log.write("Inception weights: \(weights.label)")
        context.log.write("preprocessing (\(preprocess.rawValue)): \(preprocess.summary)")
        let (stats, skipped) = try InceptionStatistics.compute(
            folder: try context.input("images"), network: network, taps: taps, batchSize: context.params[Self.batchSizeParam],
            policy: policy, weights: weights, preprocess: preprocess, context: context)
        for s in skipped { context.log.write("skipped \(s.path): \(s.error)") }
        try stats.write(to: try context.output("stats"))
        return StageResult(metrics: [
            Metric(name: "images", value: Double(stats.count)),
            Metric(name: "skipped", value: Double(skipped.count)),
            Metric(name: "random_weights", value: weights.isRandom ? 1 : 0),
        ])
    }
}
