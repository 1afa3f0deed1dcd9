import Basics
import Foundation
import NN
import Tensor

/// Whether the TF Inception weights `pleinair weights import inception` mapped hold the same numbers
/// as pytorch-fid's published `pt_inception-2015-12-05` file: every mapped tensor against the tensor of
/// the same name in that file, max |a − b| / max |b| ≤ `tolerance`. When the import proves this, the
/// stored file's metadata says so and statistics of `tf-inception` and `official` accept each other.
public struct PytorchFIDEquivalence: Sendable, Equatable {
    /// Per tensor, max |a − b| / max |b|. Both files store float32: a faithful conversion copies the
    /// numbers (difference 0) and a float64 round trip or reordering stays within a few float32 ulps
    /// (ε = 1.2e-7) of the largest value; any other network differs by orders of magnitude more.
    public static let tolerance: Float = 1e-6
    /// Metadata keys the import writes when the tensors were proved equal.
    public static let equalKey = "pytorch_fid_equal", sha256Key = "pytorch_fid_sha256", differenceKey = "pytorch_fid_max_relative_difference"

    /// The compared file's SHA-256.
    public let sha256: String
    /// How many tensors were compared (every one of the mapped state dict).
    public let compared: Int
    /// The largest relative difference and the tensor it was found in.
    public let maxRelativeDifference: Float
    public let worstTensor: String
    /// Tensors over the tolerance, missing from the file or of another shape, with why.
    public let different: [String]

    public var equal: Bool { different.isEmpty }

    /// Compares `mapped` (the import's state dict) with pytorch-fid's file at `url`.
    public static func compare(_ mapped: [String: Tensor], with url: URL) throws -> PytorchFIDEquivalence {
        let reference = try InceptionWeights.load(url).stateDict()
        let sha256: String
        do { sha256 = try SHA256Digest.hex(file: url.path) } catch {
            throw WeightsFileError(path: url.path, reason: "cannot read: \(error)")
        }
        var worst: Float = 0, worstName = "", different: [String] = []
        for name in mapped.keys.sorted() {
            let a = mapped[name]!
            guard let b = reference[name] else { different.append("\(name) missing"); continue }
            guard a.shape == b.shape else { different.append("\(name) \(a.shape) vs \(b.shape)"); continue }
            let x = a.scalars, y = b.scalars
            var diff: Float = 0, scale: Float = 0
            for i in x.indices { diff = max(diff, abs(x[i] - y[i])); scale = max(scale, abs(y[i])) }
            let relative = scale > 0 ? diff / scale : (diff > 0 ? .infinity : 0)
            if relative > worst || worstName.isEmpty { worst = relative; worstName = name }
            if !(relative <= tolerance) { different.append("\(name) \(relative)") }
        }
        return PytorchFIDEquivalence(sha256: sha256, compared: mapped.count, maxRelativeDifference: worst,
                                     worstTensor: worstName, different: different)
    }

    /// What the import adds to the stored file's metadata: nothing unless equal.
    public var metadata: [String: String] {
        equal ? [Self.equalKey: "1", Self.sha256Key: sha256, Self.differenceKey: "\(maxRelativeDifference)"] : [:]
    }

    /// One line for the import's output.
    public var summary: String {
        equal
            ? "equal to pytorch-fid's \(PretrainedWeights.inception.fileName) (SHA-256 \(sha256)): \(compared) tensors, "
                + "max relative difference \(maxRelativeDifference)\(maxRelativeDifference > 0 ? " (\(worstTensor))" : ""), "
                + "tolerance \(Self.tolerance); "
                + (Self.proven(by: metadata)
                    ? "statistics of `weights: tf-inception` and `weights: official` now accept each other"
                    : "but its SHA-256 does not start with the published file's \(PretrainedWeights.inception.sha256Prefix), "
                        + "so statistics of `tf-inception` and `official` keep refusing each other")
            : "NOT equal to pytorch-fid's \(PretrainedWeights.inception.fileName) (SHA-256 \(sha256)): \(different.count) of \(compared) "
                + "tensors differ beyond \(Self.tolerance) (first: \(different.prefix(3).joined(separator: ", "))); "
                + "statistics of `tf-inception` and `official` keep refusing each other"
    }

    /// Whether a stored import's `metadata` records this proof against a file whose SHA-256 starts with
    /// `sha256Prefix` (pytorch-fid's published file's, as `weights: official` checks).
    public static func proven(by metadata: [String: String], sha256Prefix: String = PretrainedWeights.inception.sha256Prefix) -> Bool {
        metadata[equalKey] == "1" && (metadata[sha256Key]?.hasPrefix(sha256Prefix) ?? false)
    }
}
