import Foundation
import Imaging
import Pipeline
import Vision

/// `inception_stats`: Inception features, mean and covariance of a folder of images at the
/// requested taps, stored as an artifact so the real photographs' statistics are computed once
/// and shared by every `fid` stage (and experiment) that compares against them.
public struct InceptionStatsStage: Stage {
    public init() {}

    /// Parameters shared with `fid`: which taps, which weights, how images are batched and read.
    static let extractionParams: [ParamSpec] = [
        ParamSpec("taps", .list(.int), default: .list(FIDInception.tapDimensions.map { .int($0) }),
                  doc: "Inception feature dimensions: 64 (first max pool), 192 (second max pool), 768 (pre-aux), 2048 (final pool)"),
        ParamSpec("batch_size", .int, default: .int(16), doc: "images per network pass"),
        ParamSpec("bad_images", .oneOf(BadImagePolicy.allCases.map(\.rawValue)), default: .string("fail"),
                  doc: "fail on an image that does not decode, or skip it (skips are counted in the metrics)"),
    ] + InceptionWeightsChoice.params

    public var descriptor: StageDescriptor {
        StageDescriptor(kind: "inception_stats", version: 1,
                        summary: "Inception-v3 features, mean and covariance (float64) of a folder of images, per tap",
                        params: Self.extractionParams, inputs: [("images", true)], outputs: ["stats"])
    }

    /// The `taps` list, checked and sorted.
    static func taps(_ params: [String: ParamValue]) throws -> [Int] {
        let taps = (params["taps"]?.listValue ?? []).compactMap(\.intValue)
        guard !taps.isEmpty, Set(taps).isSubset(of: FIDInception.tapDimensions) else {
            throw StageFailure.message("taps must be a non-empty list from \(FIDInception.tapDimensions), got \(taps)")
        }
        return Array(Set(taps)).sorted()
    }

    static func batchSize(_ params: [String: ParamValue]) throws -> Int {
        guard let b = params["batch_size"]?.intValue, b > 0 else { throw StageFailure.message("batch_size must be positive") }
        return b
    }

    public func run(_ context: StageContext) throws -> StageResult {
        let weights = InceptionWeightsChoice(context.params, workspace: context.workspace)
        let taps = try Self.taps(context.params)
        let policy = BadImagePolicy(rawValue: context.params["bad_images"]?.stringValue ?? "fail") ?? .fail
        let network = try weights.load()
        context.log.write("Inception weights: \(weights.label)")
        context.log.write("preprocessing: \(InceptionStatistics.preprocessing)")
        let (stats, skipped) = try InceptionStatistics.compute(
            folder: context.inputs["images"]!, network: network, taps: taps, batchSize: try Self.batchSize(context.params),
            policy: policy, weights: weights, context: context)
        for s in skipped { context.log.write("skipped \(s.path): \(s.error)") }
        try stats.write(to: context.outputs["stats"]!)
        return StageResult(metrics: [
            Metric(name: "images", value: Double(stats.count)),
            Metric(name: "skipped", value: Double(skipped.count)),
            Metric(name: "random_weights", value: weights.isRandom ? 1 : 0),
        ])
    }
}
