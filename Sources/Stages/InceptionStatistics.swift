import Foundation
import Imaging
import NN
import Pipeline
import Tensor
import Pretrained

/// Inception features and their statistics for one folder of images, at several taps: what an
/// `inception_stats` stage stores and an `fid` stage compares. Stored as a folder holding
/// `statistics.safetensors` (float64 mean_D and covariance_D per tap, metadata naming the
/// weights and the preprocessing) and `features.safetensors` (float32 features_D, kept for
/// bootstrap intervals and KID).
struct InceptionStatistics {
    var taps: [Int]
    var statistics: [Int: GaussianStatistics]
    var features: [Int: [Float]]
    var count: Int
    var weightsLabel: String
    var randomWeights: Bool
    var preprocess: InceptionPreprocess

    static let statisticsFile = "statistics.safetensors"
    static let featuresFile = "features.safetensors"

    /// Whether `url` is a folder written by `write(to:)`.
    static func isStatisticsFolder(_ url: URL) -> Bool {
        FileManager.default.fileExists(atPath: url.appendingPathComponent(statisticsFile).path)
    }

    /// Runs `network` over every image of `folder`, `batchSize` at a time.
    static func compute(folder: URL, network: FIDInception, taps: [Int], batchSize: Int, policy: BadImagePolicy,
                        weights: InceptionWeightsChoice, preprocess: InceptionPreprocess, context: StageContext) throws -> (InceptionStatistics, [(path: String, error: ImageError)]) {
        let images = try ImageFolder(root: folder)
        var features: [Int: [Float]] = [:]
        var skipped: [(path: String, error: ImageError)] = []
        var batch: [Tensor] = []
        var done = 0
        var resamplers: [[Int]: PILBicubicResampler] = [:]
        func flush() {
            guard !batch.isEmpty else { return }
            let out = network.features(Tensor.concat(batch, axis: 0), taps: Set(taps))
            for (dim, values) in out { features[dim, default: []] += values }
            done += batch.count
            batch.removeAll()
            context.log.progress(Double(done) / Double(images.count), "\(done)/\(images.count) images")
        }
        for index in 0..<images.count {
            try context.checkCancelled()
            let image: Image
            do {
                image = try images.image(at: index)
            } catch let error as ImageError where policy == .skip {
                skipped.append((images.relativePaths[index], error))
                continue
            }
            batch.append(preprocess.input(image, resamplers: &resamplers))
            if batch.count == batchSize { flush() }
        }
        flush()
        guard done >= 2 else {
            throw StageFailure.message("\(folder.path): \(done) usable image\(done == 1 ? "" : "s"); a covariance needs at least 2")
        }
        var stats: [Int: GaussianStatistics] = [:]
        for dim in taps { stats[dim] = GaussianStatistics(features: features[dim]!, dimension: dim) }
        return (InceptionStatistics(taps: taps, statistics: stats, features: features, count: done,
                                    weightsLabel: weights.label, randomWeights: weights.isRandom, preprocess: preprocess), skipped)
    }

    func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var tensors: [String: Float64Array] = [:]
        var featureTensors: [String: Tensor] = [:]
        for dim in taps {
            let s = statistics[dim]!
            tensors["mean_\(dim)"] = Float64Array(shape: [dim], values: s.mean)
            tensors["covariance_\(dim)"] = Float64Array(shape: [dim, dim], values: s.covariance)
            featureTensors["features_\(dim)"] = Tensor(shape: [count, dim], values: features[dim]!)
        }
        let metadata = ["weights": weightsLabel, "random_weights": randomWeights ? "1" : "0", "count": "\(count)",
                        "taps": taps.map(String.init).joined(separator: ","),
                        "preprocess": preprocess.rawValue, "preprocessing": preprocess.summary]
        try Float64SafeTensors.write(tensors, metadata: metadata, to: folder.appendingPathComponent(Self.statisticsFile))
        try SafeTensors.write(featureTensors, to: folder.appendingPathComponent(Self.featuresFile))
    }

    static func read(from folder: URL) throws -> InceptionStatistics {
        let (tensors, metadata) = try Float64SafeTensors.read(contentsOf: folder.appendingPathComponent(statisticsFile))
        let features = try SafeTensors.read(contentsOf: folder.appendingPathComponent(featuresFile))
        guard let count = metadata["count"].flatMap(Int.init), let weights = metadata["weights"] else {
            throw StageFailure.message("\(folder.path): statistics file lacks its count or weights metadata")
        }
        // Files written before the mode existed were all made under pytorch-fid's preprocessing.
        let mode = metadata["preprocess"] ?? InceptionPreprocess.pytorchFID.rawValue
        guard let preprocess = InceptionPreprocess(rawValue: mode) else {
            throw StageFailure.message("\(folder.path): statistics made with preprocess '\(mode)', which this version does not know "
                + "(known: \(InceptionPreprocess.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let taps = (metadata["taps"] ?? "").split(separator: ",").compactMap { Int($0) }
        var stats: [Int: GaussianStatistics] = [:], feats: [Int: [Float]] = [:]
        for dim in taps {
            guard let mean = tensors["mean_\(dim)"], let cov = tensors["covariance_\(dim)"], let f = features["features_\(dim)"] else {
                throw StageFailure.message("\(folder.path): tap \(dim) listed but its arrays are missing")
            }
            stats[dim] = GaussianStatistics(dimension: dim, count: count, mean: mean.values, covariance: cov.values)
            feats[dim] = f.scalars
        }
        return InceptionStatistics(taps: taps, statistics: stats, features: feats, count: count, weightsLabel: weights,
                                   randomWeights: metadata["random_weights"] == "1", preprocess: preprocess)
    }
}
