import Foundation
import Imaging
import Pipeline
import Tensor
import Pretrained

/// `style_transfer`: the neural style transfer baseline. Each painting is optimised so that its
/// VGG-19 content is kept and its Gram matrices match the real photographs'; PNGs are written
/// with the paintings' names, like `translate`, so the same FID and study stages take them.
package struct StyleTransferStage: Stage {
    package init() {}


    static let weights = Param<String>(
        "weights", default: "official",
        doc: "official (torchvision's \(PretrainedWeights.vgg19.fileName), `pleinair weights fetch vgg19`), "
            + "random (seeded, for demos; every metric is labelled), or a path to a .pth/.safetensors state dict (its content is part of the fingerprint)",
        fileUnless: ["official", "random"])
    static let seed = Param<Int>("seed", default: 0, doc: "seed of `weights: random`")
    static let layers = VGG19Features.layers.keys.filter { $0.hasPrefix("relu") }.sorted()
    static let contentLayer = Param<String>("content_layer", default: "relu4_2", rule: .oneOf(layers), doc: "Gatys et al. 2016: conv4_2")
    static let styleLayers = Param<[String]>("style_layers", default: ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"],
                                             rule: .oneOf(layers), doc: "Gatys et al. 2016: conv1_1 … conv5_1")
    static let contentWeight = Param<Double>("content_weight", default: 1, rule: .atLeast(0), doc: "α")
    static let styleWeight = Param<Double>("style_weight", default: 1000, rule: .atLeast(0), doc: "β (Gram matrices normalised by C·H·W)")
    static let steps = Param<Int>("steps", default: 100, rule: .atLeast(1), doc: "optimisation steps per painting")
    static let learningRate = Param<Double>("learning_rate", default: 0.02, rule: .above(0), doc: "Adam's step on pixels in [0, 1]")
    static let styleImages = Param<Int>("style_images", default: 32, rule: .atLeast(1),
                                        doc: "photographs (the first, in name order) whose mean Gram matrices are the target")

    package var descriptor: StageDescriptor {
        StageDescriptor(
            kind: "style_transfer", version: 1,
            summary: "Gatys et al. style transfer toward the photographs' Gram matrices (VGG-19), a PNG per painting",
            params: [Self.weights.spec, Self.seed.spec, Self.contentLayer.spec, Self.styleLayers.spec, Self.contentWeight.spec,
                     Self.styleWeight.spec, Self.steps.spec, Self.learningRate.spec, Self.styleImages.spec],
            inputs: [("images", true), ("style", true)], outputs: ["images"], imageOutputs: ["images"],
            metrics: { p in
                let suffix = p[Self.weights] == "random" ? "_random_weights" : ""
                return MetricDeclaration.results("loss" + suffix, "content_loss" + suffix, "style_loss" + suffix, "random_weights")
                    + MetricDeclaration.bookkeeping("images")
            })
    }

    package func run(_ context: StageContext) throws -> StageResult {
        let p = context.params
        let weights = p[Self.weights]
        let random = weights == "random"
        let network: VGG19Features
        if random {
            network = .hashInitialized(seed: UInt32(truncatingIfNeeded: p[Self.seed]))
            context.log.write("WARNING: random VGG-19 weights; metric names end in _random_weights")
        } else {
            let url = weights == "official"
                ? PretrainedWeights.vgg19.file()
                : (weights.hasPrefix("/") ? URL(fileURLWithPath: weights) : context.workspace.appendingPathComponent(weights))
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw StageFailure.message("VGG-19 weights not found at \(url.path). Run `pleinair weights fetch vgg19` "
                    + "(\(PretrainedWeights.vgg19.url.absoluteString), SHA-256 checked) or put the file there; "
                    + "for a demo without them, set `weights: random`.")
            }
            network = try VGG19Features.load(url)
        }
        BLASKernel.setThreadCount(max(1, context.threads))
        var transfer = StyleTransfer(network: network, contentLayer: p[Self.contentLayer], styleLayers: p[Self.styleLayers],
                                     contentWeight: Float(p[Self.contentWeight]), styleWeight: Float(p[Self.styleWeight]))
        let styleFolder = try ImageFolder(root: try context.input("style"))
        let count = min(styleFolder.count, p[Self.styleImages])
        transfer.setStyle(try (0..<count).map { try StyleTransferStage.tensor(styleFolder.image(at: $0)) })
        context.log.write("style target: mean Gram matrices of \(count) photographs from \(styleFolder.root.path)")

        let paintings = try ImageFolder(root: try context.input("images"))
        let steps = p[Self.steps]
        let out = try context.output("images")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        var meanLoss = [Double](repeating: 0, count: steps)
        var finalContent = 0.0, finalStyle = 0.0
        for (k, path) in paintings.relativePaths.enumerated() {
            let painting = try StyleTransferStage.tensor(paintings.image(at: k))
            let (image, losses) = try transfer.run(painting: painting, steps: steps, learningRate: Float(p[Self.learningRate])) { step, _ in
                try context.checkCancelled()
                context.log.progress((Double(k) + Double(step + 1) / Double(steps)) / Double(paintings.count), path)
            }
            for (i, l) in losses.enumerated() { meanLoss[i] += Double(l) / Double(paintings.count) }
            let parts = GradMode.withoutGradient { transfer.loss(image, content: transfer.contentTarget(painting)) }
            finalContent += Double(parts.content.item) / Double(paintings.count)
            finalStyle += Double(parts.style.item) / Double(paintings.count)
            let destination = out.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try ImageCodec.write(StyleTransferStage.image(image), to: destination.deletingPathExtension().appendingPathExtension("png"))
        }
        let suffix = random ? "_random_weights" : ""
        var metrics = meanLoss.enumerated().map { Metric(name: "loss\(suffix)", value: $0.element, step: $0.offset) }
        metrics += [Metric(name: "content_loss\(suffix)", value: finalContent), Metric(name: "style_loss\(suffix)", value: finalStyle),
                    Metric(name: "random_weights", value: random ? 1 : 0), Metric(name: "images", value: Double(paintings.count))]
        return StageResult(metrics: metrics)
    }

    /// An image as [1, 3, H, W] in [0, 1] (style transfer optimises pixels in [0, 1]).
    static func tensor(_ image: Image) -> Tensor { (Tensor(image: image.convertedTo8Bit()) + 1) * 0.5 }

    /// [1, 3, H, W] in [0, 1] back to an 8-bit image.
    static func image(_ tensor: Tensor) -> Image { Image(tensor: tensor * 2 - 1) }
}
