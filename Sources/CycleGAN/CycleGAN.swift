import Basics
import Foundation
import NN
import Tensor

/// The four networks of CycleGAN under junyanz's names: G_A maps domain A (paintings) to B (photos),
/// G_B maps back, D_A judges images of B (real photos vs G_A's), D_B judges images of A.
public final class CycleGAN {
    /// Which generator to apply.
    public enum Direction: String, CaseIterable, Sendable {
        /// G_A: painting → photo.
        case aToB = "AtoB"
        /// G_B: photo → painting.
        case bToA = "BtoA"
    }

    /// The sizes, weights and seed the networks were built with.
    public let options: CycleGANOptions
    /// G_A: painting → photo.
    public let generatorA: ResnetGenerator
    /// G_B: photo → painting.
    public let generatorB: ResnetGenerator
    /// D_A: real photos vs G_A's.
    public let discriminatorA: NLayerDiscriminator
    /// D_B: real paintings vs G_B's.
    public let discriminatorB: NLayerDiscriminator

    /// Builds the four networks from `options`, initialised N(0, initStd²) from `options.seed`.
    public init(options: CycleGANOptions) {
        self.options = options
        var g = SeededGenerator(seed: options.seed)
        generatorA = ResnetGenerator(ngf: options.ngf, blocks: options.blocks, initStd: options.initStd, generator: &g)
        generatorB = ResnetGenerator(ngf: options.ngf, blocks: options.blocks, initStd: options.initStd, generator: &g)
        discriminatorA = NLayerDiscriminator(ndf: options.ndf, layers: options.discriminatorLayers, initStd: options.initStd, generator: &g)
        discriminatorB = NLayerDiscriminator(ndf: options.ndf, layers: options.discriminatorLayers, initStd: options.initStd, generator: &g)
        generatorA.checkpointsBlocks = options.checkpointBlocks
        generatorB.checkpointsBlocks = options.checkpointBlocks
    }

    /// The networks by their junyanz names (file names of the exported weights).
    public var networks: [(name: String, module: any Module)] {
        [("G_A", generatorA), ("G_B", generatorB), ("D_A", discriminatorA), ("D_B", discriminatorB)]
    }

    /// The generator for `direction`.
    public func generator(_ direction: Direction) -> ResnetGenerator {
        direction == .aToB ? generatorA : generatorB
    }

    /// Writes `G_A.safetensors`, `G_B.safetensors`, `D_A.safetensors`, `D_B.safetensors` into `folder`,
    /// each holding its network's PyTorch state-dict keys (`model.1.weight` …).
    public func save(to folder: URL, metadata: [String: String] = [:]) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, module) in networks {
            try SafeTensors.write(module.stateDict(), to: folder.appendingPathComponent("\(name).safetensors"), metadata: metadata)
        }
    }

    /// Loads one network's weights from `folder/<name>.safetensors` (strict key match).
    public static func loadWeights(of module: any Module, named name: String, from folder: URL) throws {
        let url = folder.appendingPathComponent("\(name).safetensors")
        do {
            try module.loadStateDict(SafeTensors.read(contentsOf: url))
        } catch let error as StateDictError {
            throw WeightsFileError(path: url.path, reason: "\(error)")
        }
    }

    /// Loads all four networks from a folder written by `save(to:)`.
    public func load(from folder: URL) throws {
        for (name, module) in networks { try Self.loadWeights(of: module, named: name, from: folder) }
    }
}
