import Foundation
import NN
import Tensor

/// Loading FID Inception weights by file type (where the published file comes from:
/// `PretrainedWeights.inception`).
public enum InceptionWeights {

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
