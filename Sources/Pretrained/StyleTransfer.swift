import NN
import Tensor

/// Neural style transfer (Gatys et al. 2016) as the paper's baseline: optimise an image, starting
/// from the painting, so that its VGG-19 features keep the painting's content at one layer while
/// its Gram matrices match those of real photographs at the style layers.
public struct StyleTransfer {
    public let network: VGG19Features
    public var contentLayer: String
    public var styleLayers: [String]
    public var contentWeight: Float
    public var styleWeight: Float
    /// Gram matrices of the style target per layer (averaged over the style images).
    public private(set) var styleGrams: [String: Tensor] = [:]

    public init(network: VGG19Features, contentLayer: String = "relu4_2",
                styleLayers: [String] = ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"],
                contentWeight: Float = 1, styleWeight: Float = 1e3) {
        self.network = network
        self.contentLayer = contentLayer
        self.styleLayers = styleLayers
        self.contentWeight = contentWeight
        self.styleWeight = styleWeight
    }

    /// Gram matrix of features [1, C, H, W]: F·Fᵀ / (C·H·W) with F = [C, H·W].
    public static func gram(_ features: Tensor) -> Tensor {
        let c = features.shape[1], hw = features.shape[2] * features.shape[3]
        let f = features.reshaped([c, hw])
        return f.matmul(f.transposed()) / Float(c * hw)
    }

    /// Sets the style target: the mean Gram matrix per layer over `images` (each [1, 3, H, W] in [0, 1]).
    public mutating func setStyle(_ images: [Tensor]) {
        precondition(!images.isEmpty, "a style target needs at least one image")
        var sums: [String: Tensor] = [:]
        GradMode.withoutGradient {
            for image in images {
                let acts = network.activations(image, at: styleLayers)
                for layer in styleLayers {
                    let g = StyleTransfer.gram(acts[layer]!)
                    sums[layer] = sums[layer].map { $0 + g } ?? g
                }
            }
        }
        styleGrams = sums.mapValues { ($0 / Float(images.count)).detached() }
    }

    /// The loss of `image` [1, 3, H, W] in [0, 1] against the content features of the painting.
    public func loss(_ image: Tensor, content: Tensor) -> (total: Tensor, content: Tensor, style: Tensor) {
        let acts = network.activations(image, at: [contentLayer] + styleLayers)
        let contentLoss = mseLoss(acts[contentLayer]!, content)
        var styleLoss: Tensor?
        for layer in styleLayers {
            let term = mseLoss(StyleTransfer.gram(acts[layer]!), styleGrams[layer]!)
            styleLoss = styleLoss.map { $0 + term } ?? term
        }
        let style = styleLoss ?? Tensor(scalar: 0)
        return (contentLoss * contentWeight + style * styleWeight, contentLoss, style)
    }

    /// Content features of a painting, the fixed target of `loss`.
    public func contentTarget(_ painting: Tensor) -> Tensor {
        GradMode.withoutGradient { network.activations(painting, at: [contentLayer])[contentLayer]!.detached() }
    }

    /// Optimises from `painting` with Adam for `steps` steps, keeping pixels in [0, 1]; returns the
    /// image and the loss before each step. `observe` is called after every step (progress, cancellation).
    public func run(painting: Tensor, steps: Int, learningRate: Float,
                    observe: (Int, Float) throws -> Void = { _, _ in }) rethrows -> (image: Tensor, losses: [Float]) {
        let target = contentTarget(painting)
        let image = painting.copy()
        image.requiresGrad = true
        let optimizer = Adam(parameters: [image], learningRate: learningRate, beta1: 0.9, beta2: 0.999)
        var losses: [Float] = []
        for step in 0..<steps {
            optimizer.zeroGrad()
            let total = loss(image, content: target).total
            losses.append(total.item)
            total.backward()
            optimizer.step()
            let p = image.pointer
            for i in 0..<image.count { p[i] = Swift.min(1, Swift.max(0, p[i])) }
            try observe(step, losses.last!)
        }
        return (image.detached(), losses)
    }
}
