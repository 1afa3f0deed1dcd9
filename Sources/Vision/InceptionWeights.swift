import Foundation
import NN
import Tensor

/// Where FID Inception weights come from, and loading them by file type.
public enum InceptionWeights {
    /// The published weights' file name (the suffix is the start of its SHA-256, as torch hub names files).
    public static let fileName = "pt_inception-2015-12-05-6726825d.pth"
    /// pytorch-fid's official download location.
    public static let officialURL = URL(string: "https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/\(fileName)")!
    /// The checksum prefix carried by the file name.
    public static let sha256Prefix = "6726825d"

    /// The folder weights live in: `$PLEINAIR_WEIGHTS` when set, else `~/.cache/pleinair/weights`.
    public static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let dir = environment["PLEINAIR_WEIGHTS"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        let home = environment["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".cache/pleinair/weights")
    }

    /// The default location of the published weights file.
    public static func defaultFile(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        directory(environment: environment).appendingPathComponent(fileName)
    }

    /// A network with the weights in `url`: a PyTorch checkpoint (`.pth`, `.pt`, `.bin`) or safetensors.
    public static func load(_ url: URL) throws -> FIDInception {
        let dict = url.pathExtension.lowercased() == "safetensors"
            ? try SafeTensors.read(contentsOf: url) : try PyTorchCheckpoint.readStateDict(contentsOf: url)
        let net = FIDInception()
        do { try net.load(stateDict: dict) } catch {
            throw CheckpointError(path: url.path, reason: "not FID Inception weights: \(error)")
        }
        return net
    }
}
