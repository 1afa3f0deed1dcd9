import Basics
import Foundation
import Imaging
import NN
import Pipeline
import Tensor
import Vision

/// `translate`: runs one generator of a trained CycleGAN over a folder of images at their own size
/// (reflection-padded to a multiple of 4 and cropped back) and writes PNGs under the same names.
public struct TranslateStage: Stage {
    public init() {}

    static let direction = Param<CycleGAN.Direction>("direction", default: .aToB,
                                                     doc: "AtoB applies G_A (painting → photo), BtoA applies G_B (junyanz --direction)")
    static let ngf = Param<Int>("ngf", default: 64, rule: .atLeast(1), doc: "generator filters of the first layer; must match the trained model")
    static let blocks = Param<Int>("n_blocks", default: 9, rule: .atLeast(0), doc: "residual blocks; must match the trained model")
    static let badImages = Param<BadImagePolicy>("bad_images", default: .fail, doc: "fail on an image that does not decode, or skip it")

    public var descriptor: StageDescriptor {
        StageDescriptor(
            kind: "translate", version: 1,
            summary: "applies a trained generator (G_A: painting → photo by default) to every image of a folder",
            params: [Self.direction.spec, Self.ngf.spec, Self.blocks.spec, Self.badImages.spec],
            inputs: [("model", true), ("images", true)], outputs: ["images"])
    }

    public func run(_ context: StageContext) throws -> StageResult {
        let p = context.params
        let direction = p[Self.direction]
        let ngf = p[Self.ngf], blocks = p[Self.blocks]
        BLASKernel.setThreadCount(max(1, context.threads))
        var unused = SeededGenerator(seed: 0)
        let generator = ResnetGenerator(ngf: ngf, blocks: blocks, generator: &unused)
        let name = direction == .aToB ? "G_A" : "G_B"
        do {
            try CycleGAN.loadWeights(of: generator, named: name, from: try context.input("model"))
        } catch {
            throw StageFailure.message("\(error) (do ngf \(ngf) and n_blocks \(blocks) match the trained model?)")
        }
        generator.setTraining(false)
        let policy = p[Self.badImages]
        let folder = try ImageFolder(root: try context.input("images"))
        let out = try context.output("images")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        var written = 0, skipped = 0
        for (k, path) in folder.relativePaths.enumerated() {
            try context.checkCancelled()
            let image: Image
            do {
                image = try folder.image(at: k).convertedTo8Bit().removingAlpha().toRGB()
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

    /// The same relative path with a `.png` extension (JPEG inputs become PNGs: no second lossy step).
    static func pngName(_ path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.pathExtension.lowercased() == "png" ? path : String(path.dropLast(url.pathExtension.count)) + "png"
    }
}
