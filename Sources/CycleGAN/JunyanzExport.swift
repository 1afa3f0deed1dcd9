import Foundation
import NN
import Tensor

/// Writes a PleinAir model folder (`G_A.safetensors` …) as junyanz's checkpoints folder
/// (`latest_net_G_A.pth` …, `torch.save` zip format), which that repository's `test.py --model
/// cycle_gan` and `train.py --continue_train` load as their own.
public enum JunyanzExport {
    /// The networks a model folder may hold, by junyanz name.
    public static let networkNames = ["G_A", "G_B", "D_A", "D_B"]

    /// Converts every `<net>.safetensors` in `model` to `destination/<epoch>_net_<net>.pth`; the
    /// generators are loaded first (strict keys, sizes from the shapes), so a folder that is not a
    /// junyanz-compatible model fails naming the file and key. Returns the files written.
    @discardableResult
    public static func export(model: URL, to destination: URL, epoch: String = "latest") throws -> [URL] {
        for name in ["G_A", "G_B"] where !FileManager.default.fileExists(atPath: model.appendingPathComponent("\(name).safetensors").path) {
            throw CheckpointError(path: model.appendingPathComponent("\(name).safetensors").path, reason: "missing: a model folder holds G_A and G_B")
        }
        try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        var written: [URL] = []
        for name in networkNames {
            let source = model.appendingPathComponent("\(name).safetensors")
            guard FileManager.default.fileExists(atPath: source.path) else { continue }  // D_A, D_B are optional
            let state: [String: Tensor]
            if name.hasPrefix("G") {
                state = try GeneratorCheckpoint.load(source).generator.stateDict()
            } else {
                state = try SafeTensors.read(contentsOf: source)
            }
            let ordered = state.keys.sorted(by: naturalOrder).map { (key: $0, tensor: state[$0]!) }
            let target = destination.appendingPathComponent("\(epoch)_net_\(name).pth")
            try PyTorchCheckpoint.write(ordered, to: target)
            written.append(target)
        }
        return written
    }

    /// `model.2.weight` before `model.10.weight`: the order PyTorch's modules register them.
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        let pa = a.split(separator: "."), pb = b.split(separator: ".")
        for (x, y) in zip(pa, pb) where x != y {
            if let i = Int(x), let j = Int(y) { return i < j }
            return x < y
        }
        return pa.count < pb.count
    }
}
