import Basics
import Foundation
import NN
import Tensor

/// The convolutional part of torchvision's VGG-19 (`vgg19().features`): 16 3×3 convolutions with
/// ReLU and five max pools, parameters named `features.N.weight` / `features.N.bias` as in
/// torchvision's state dict. Inputs are ImageNet-normalised inside, from images in [0, 1].
public final class VGG19Features: Module {
    public let features: Sequential
    public var isTraining = false

    /// torchvision's configuration "E": channel counts, 0 for a max pool.
    static let configuration = [64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0]

    /// Layer names of Gatys et al. and the index of their output in `features`.
    public static let layers: [String: Int] = {
        var names: [String: Int] = [:]
        var block = 1, conv = 1, index = 0
        for channels in configuration {
            if channels == 0 {
                names["pool\(block)"] = index
                block += 1
                conv = 1
                index += 1
            } else {
                names["conv\(block)_\(conv)"] = index
                names["relu\(block)_\(conv)"] = index + 1
                conv += 1
                index += 2
            }
        }
        return names
    }()

    static let mean: [Float] = [0.485, 0.456, 0.406]
    static let std: [Float] = [0.229, 0.224, 0.225]

    /// An unloaded network (zero weights until `loadStateDict` or `hashInitialized`).
    public init() {
        var generator = SeededGenerator(seed: 0)
        var layers: [any Layer] = []
        var channels = 3
        for c in VGG19Features.configuration {
            if c == 0 {
                layers.append(MaxPool(kernel: 2))
            } else {
                layers.append(Conv2d(inChannels: channels, outChannels: c, kernelSize: 3, padding: 1, generator: &generator))
                layers.append(ReLU())
                channels = c
            }
        }
        features = Sequential(layers)
        for p in parameters { p.requiresGrad = false }
    }

    public var children: [(name: String, module: any Module)] { [("features", features)] }

    /// Seeded hash weights for demos and tests (He-uniform scale), reproduced bit for bit by
    /// scripts/reference/style_reference.py. Results computed with them must say so.
    public static func hashInitialized(seed: UInt32 = 0) -> VGG19Features {
        let net = VGG19Features()
        HashWeights.fill(net, seed: seed)
        return net
    }

    /// Loads torchvision's `vgg19-dcbb9e9d.pth` (or any .pth/.safetensors state dict with the
    /// `features.*` keys); the classifier's keys are ignored.
    public static func load(_ url: URL) throws -> VGG19Features {
        let dict = url.pathExtension == "safetensors" ? try SafeTensors.read(contentsOf: url) : try PyTorchCheckpoint.readStateDict(contentsOf: url)
        let net = VGG19Features()
        try net.loadStateDict(dict.filter { $0.key.hasPrefix("features.") }, strict: true)
        for p in net.parameters { p.requiresGrad = false }
        return net
    }

    /// The outputs of the named layers for images [N, 3, H, W] in [0, 1]; runs only as deep as needed.
    public func activations(_ images: Tensor, at names: [String]) -> [String: Tensor] {
        let wanted = Dictionary(names.map { (VGG19Features.layers[$0]!, $0) }, uniquingKeysWith: { a, _ in a })
        let deepest = wanted.keys.max() ?? -1
        let mean = Tensor(shape: [1, 3, 1, 1], values: VGG19Features.mean)
        let std = Tensor(shape: [1, 3, 1, 1], values: VGG19Features.std)
        var x = (images - mean) / std
        var out: [String: Tensor] = [:]
        for (index, layer) in features.layers.enumerated() where index <= deepest {
            x = layer(x)
            if let name = wanted[index] { out[name] = x }
        }
        return out
    }
}

/// A 2×2 max pool as a layer (VGG's only pooling).
final class MaxPool: Layer {
    let kernel: Int
    var isTraining = false

    init(kernel: Int) { self.kernel = kernel }

    func callAsFunction(_ input: Tensor) -> Tensor { input.maxPool2d(kernel: kernel) }
}
