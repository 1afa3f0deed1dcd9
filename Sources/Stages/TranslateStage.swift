import Basics
import Foundation
import Imaging
import NN
import Pipeline
import Tensor
import CycleGAN

/// `translate`: runs one generator of a trained CycleGAN over a folder of images at their own size
/// (reflection-padded to a multiple of 4 and cropped back), or resized to a square first (`resize`,
/// the authors' test recipe: 256² bicubic), and writes PNGs under the same names.
/// The model is PleinAir's folder, a junyanz checkpoints folder, a zoo file or the Art2Real release
/// (`GeneratorWeightsLocator`), in safetensors or either torch format; sizes come from the weights.
package struct TranslateStage: Stage {
    package init() {}

    static let direction = Param<CycleGAN.Direction>("direction", default: .aToB,
                                                     doc: "AtoB applies G_A (painting → photo), BtoA applies G_B (junyanz --direction)")
    static let ngf = Param<Int>("ngf", default: 0, rule: .atLeast(0),
                                doc: "generator filters of the first layer; 0 reads it from the weights, any other value must match them")
    static let blocks = Param<Int>("n_blocks", default: -1, rule: .atLeast(-1),
                                   doc: "residual blocks; -1 reads them from the weights, any other value must match them")
    static let epoch = Param<String>("epoch", default: "",
                                     doc: "which <epoch>_net_G_X.pth of a junyanz checkpoints folder; empty: latest, else the highest epoch")
    static let badImages = Param<BadImagePolicy>("bad_images", default: .fail, doc: "fail on an image that does not decode, or skip it")
    static let resize = Param<Int>("resize", default: 0, rule: .atLeast(0),
                                   doc: "resize every image to this square side before translating; 0 keeps each image's own size. The "
                                       + "authors' test recipe is 256 with bicubic (their test options: load_size 256, no crop)")
    static let resizeFilter = Param<ResizeFilter>("resize_filter", default: .bilinear, doc: "filter of that resize (train's resize_filter)")

    package var descriptor: StageDescriptor {
        StageDescriptor(
            kind: "translate", version: 2,
            summary: "applies a trained generator (G_A: painting → photo by default) to every image of a folder",
            params: [Self.direction.spec, Self.ngf.spec, Self.blocks.spec, Self.epoch.spec, Self.badImages.spec, Self.resize.spec,
                     Self.resizeFilter.spec],
            inputs: [("model", true), ("images", true)], outputs: ["images"], imageOutputs: ["images"],
            metrics: { _ in MetricDeclaration.bookkeeping("images", "skipped") })
    }

    package func run(_ context: StageContext) throws -> StageResult {
        let p = context.params
        let direction = p[Self.direction]
        BLASKernel.setThreadCount(max(1, context.threads))
        let generator = try Self.loadGenerator(from: try context.input("model"), direction: direction,
                                               ngf: p[Self.ngf], blocks: p[Self.blocks], epoch: p[Self.epoch], log: context.log)
        let policy = p[Self.badImages]
        let folder = try ImageFolder(root: try context.input("images"))
        let out = try context.output("images")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        var written = 0, skipped = 0
        for (k, path) in folder.relativePaths.enumerated() {
            try context.checkCancelled()
            var image: Image
            do {
                image = try folder.image(at: k).convertedTo8Bit().removingAlpha().toRGB()
                if p[Self.resize] > 0 { image = image.resized(width: p[Self.resize], height: p[Self.resize], filter: p[Self.resizeFilter]) }
            } catch let error as ImageError where policy == .skip {
                context.log.write("skipped \(path): \(error)")
                skipped += 1
                continue
            }
            let input = Tensor(image: image)
            let output = generator.translate(input)
            let target = out.appendingPathComponent(Self.pngName(path))
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try ImageCodec.write(Image(tensor: output), to: target)
            written += 1
            context.log.progress(Double(k + 1) / Double(folder.count), path)
        }
        return StageResult(metrics: [Metric(name: "images", value: Double(written)), Metric(name: "skipped", value: Double(skipped))])
    }

    /// The generator for `direction` in `model` (any layout `GeneratorWeightsLocator` knows), logging
    /// which file it took and what it adjusted; `ngf` 0 and `blocks` -1 take the sizes from the weights.
    static func loadGenerator(from model: URL, direction: CycleGAN.Direction, ngf: Int, blocks: Int, epoch: String,
                              log: StageLog) throws -> ResnetGenerator {
        let located = try GeneratorWeightsLocator.locate(in: model, direction: direction, epoch: epoch.isEmpty ? nil : epoch)
        let loaded = try GeneratorCheckpoint.load(located.file, ngf: ngf > 0 ? ngf : nil, blocks: blocks >= 0 ? blocks : nil)
        log.write("generator: \(located.file.path) (\(located.note)); \(loaded.architecture)")
        if loaded.strippedModulePrefix { log.write("stripped DataParallel's 'module.' prefix from the keys") }
        if !loaded.droppedKeys.isEmpty {
            log.write("dropped \(loaded.droppedKeys.count) InstanceNorm running-statistics entries (PyTorch < 0.4), as junyanz's loader does")
        }
        return loaded.generator
    }

    /// The same relative path with a `.png` extension (JPEG inputs become PNGs: no second lossy step).
    static func pngName(_ path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.pathExtension.lowercased() == "png" ? path : String(path.dropLast(url.pathExtension.count)) + "png"
    }
}
