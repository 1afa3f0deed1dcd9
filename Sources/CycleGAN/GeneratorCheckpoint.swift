import Basics
import Foundation
import NN
import Tensor

/// A ResNet generator loaded from a weights file, with what had to be adjusted on the way.
public struct LoadedGenerator {
    /// The network, in evaluation mode.
    public let generator: ResnetGenerator
    /// Its sizes, as read from the file.
    public let architecture: GeneratorArchitecture
    /// The file it came from.
    public let file: URL
    /// Keys dropped as junyanz's loader drops them (InstanceNorm running statistics of PyTorch < 0.4).
    public let droppedKeys: [String]
    /// Whether the keys carried DataParallel's `module.` prefix.
    public let strippedModulePrefix: Bool
}

/// Loads junyanz `ResnetGenerator` weights from PleinAir's safetensors or from `torch.save`
/// checkpoints (zip or legacy), the way that repository's `BaseModel.load_networks` does.
public enum GeneratorCheckpoint {
    /// The raw state dict of `url`: safetensors by extension, otherwise a PyTorch checkpoint.
    public static func readStateDict(_ url: URL) throws -> [String: Tensor] {
        if url.pathExtension.lowercased() == "safetensors" { return try SafeTensors.read(contentsOf: url) }
        return try PyTorchCheckpoint.readStateDict(contentsOf: url)
    }

    /// Reads `url` into a generator. `ngf` and `blocks`, when given, must match what the shapes
    /// say, or the load fails saying both.
    public static func load(_ url: URL, ngf: Int? = nil, blocks: Int? = nil) throws -> LoadedGenerator {
        let raw = try readStateDict(url)
        let (state, stripped) = stripModulePrefix(raw)
        let architecture = try GeneratorArchitecture.infer(from: state, path: url.path)
        var asked: [String] = []
        if let ngf, ngf != architecture.ngf { asked.append("ngf \(ngf)") }
        if let blocks, blocks != architecture.blocks { asked.append("n_blocks \(blocks)") }
        if !asked.isEmpty {
            throw CheckpointError(path: url.path, reason: "holds a generator with \(architecture) (read from its shapes), "
                                  + "but \(asked.joined(separator: " and ")) was asked; drop the setting or correct it")
        }
        var unused = SeededGenerator(seed: 0)
        let generator = ResnetGenerator(inputChannels: architecture.inputChannels, outputChannels: architecture.outputChannels,
                                        ngf: architecture.ngf, blocks: architecture.blocks, generator: &unused)
        let remapped = architecture.dropout ? withoutDropoutSlots(state) : state
        let (patched, dropped) = droppingInstanceNormStatistics(remapped, of: generator)
        try check(patched, fits: generator, path: url.path)
        try generator.loadStateDict(patched)
        generator.setTraining(false)
        return LoadedGenerator(generator: generator, architecture: architecture, file: url, droppedKeys: dropped,
                               strippedModulePrefix: stripped)
    }

    /// Removes DataParallel's `module.` prefix from every key that has it.
    public static func stripModulePrefix(_ state: [String: Tensor]) -> ([String: Tensor], Bool) {
        guard state.keys.contains(where: { $0.hasPrefix("module.") }) else { return (state, false) }
        var out: [String: Tensor] = [:]
        for (k, v) in state { out[k.hasPrefix("module.") ? String(k.dropFirst("module.".count)) : k] = v }
        return (out, true)
    }

    /// Renumbers `model.N.conv_block.K` for K ≥ 4 to K − 1: the dropout layer at index 4 has no
    /// weights, and PleinAir's block (evaluation only, where dropout is the identity) lacks it.
    static func withoutDropoutSlots(_ state: [String: Tensor]) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (key, value) in state {
            var parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if parts.count >= 5, parts[0] == "model", parts[2] == "conv_block", let k = Int(parts[3]), k >= 4 {
                parts[3] = String(k - 1)
            }
            out[parts.joined(separator: ".")] = value
        }
        return out
    }

    /// junyanz's `__patch_instance_norm_state_dict`: drops `running_mean`, `running_var` and
    /// `num_batches_tracked` of InstanceNorm layers (written by PyTorch < 0.4), and nothing else.
    static func droppingInstanceNormStatistics(_ state: [String: Tensor], of module: any Module) -> ([String: Tensor], [String]) {
        let norms = Set(instanceNormPaths(module))
        var out: [String: Tensor] = [:], dropped: [String] = []
        for (key, value) in state {
            if let dot = key.lastIndex(of: "."), norms.contains(String(key[..<dot])),
               ["running_mean", "running_var", "num_batches_tracked"].contains(String(key[key.index(after: dot)...])) {
                dropped.append(key)
            } else {
                out[key] = value
            }
        }
        return (out, dropped.sorted())
    }

    /// State-dict paths of every `InstanceNorm2d` inside `module`.
    static func instanceNormPaths(_ module: any Module, prefix: String = "") -> [String] {
        var out: [String] = []
        for (name, child) in module.children {
            let path = prefix.isEmpty ? name : prefix + "." + name
            if child is InstanceNorm2d { out.append(path) }
            out += instanceNormPaths(child, prefix: path)
        }
        return out
    }

    /// Every key that does not fit `module`, in one error: missing, unexpected and misshapen keys.
    static func check(_ state: [String: Tensor], fits module: any Module, path: String) throws {
        let own = module.namedParameters() + module.namedBuffers()
        var problems: [String] = []
        let missing = own.map(\.name).filter { state[$0] == nil }.sorted()
        if !missing.isEmpty { problems.append("missing \(list(missing))") }
        let known = Set(own.map(\.name))
        let unexpected = state.keys.filter { !known.contains($0) }.sorted()
        if !unexpected.isEmpty { problems.append("unexpected \(list(unexpected))") }
        let misshapen = own.compactMap { key, t -> String? in
            guard let found = state[key], found.shape != t.shape else { return nil }
            return "'\(key)' is \(found.shape), expected \(t.shape)"
        }
        if !misshapen.isEmpty { problems.append("misshapen " + misshapen.prefix(8).joined(separator: "; ")) }
        if !problems.isEmpty {
            throw CheckpointError(path: path, reason: "does not fit junyanz's ResnetGenerator: " + problems.joined(separator: "; "))
        }
    }

    static func list(_ keys: [String]) -> String {
        let shown = keys.prefix(8).map { "'\($0)'" }.joined(separator: ", ")
        return keys.count > 8 ? "\(shown) and \(keys.count - 8) more" : shown
    }
}
