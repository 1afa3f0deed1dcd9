import Foundation
import Imaging
import Pipeline

/// `compare_images`: full-reference distance between a folder of images and a reference folder
/// with the same file names (e.g. translated paintings against their ground-truth photos).
package struct CompareImagesStage: Stage {
    package init() {}

    static let badImages = Param<BadImagePolicy>("bad_images", default: .fail,
                                                 doc: "fail on an image that does not decode, or skip it (skips are counted in the metrics)")

    package var descriptor: StageDescriptor {
        StageDescriptor(
            kind: "compare_images", version: 2,
            summary: "PSNR and SSIM of each image against the reference image of the same name",
            params: [Self.badImages.spec],
            inputs: [("images", true), ("reference", true)], outputs: ["report"],
            metrics: { _ in MetricDeclaration.results("psnr", "ssim") + MetricDeclaration.bookkeeping("images", "skipped") })
    }

    package func run(_ context: StageContext) throws -> StageResult {
        let images = try ImageFolder(root: try context.input("images")).loadAll(policy: context.params[Self.badImages])
        let reference = try ImageFolder(root: try context.input("reference"))
        let referencePaths = Set(reference.relativePaths)
        // Columns named as the metrics, so comparisons `over: images` can pair them per image.
        var csv = "image,psnr,ssim\n"
        var psnrSum = 0.0, ssimSum = 0.0, count = 0
        for (k, entry) in images.images.enumerated() {
            try context.checkCancelled()
            guard referencePaths.contains(entry.relativePath) else {
                throw StageFailure.message("\(entry.relativePath): no image of that name in the reference folder \(reference.root.path)")
            }
            let truth = try ImageCodec.read(reference.root.appendingPathComponent(entry.relativePath))
            let psnr: Double, ssim: Double
            do {
                psnr = try ImageQuality.psnr(entry.image, truth)
                ssim = try ImageQuality.ssim(entry.image, truth)
            } catch {
                throw StageFailure.message("\(entry.relativePath): \(error)")
            }
            csv += "\(entry.relativePath),\(psnr),\(ssim)\n"
            psnrSum += psnr
            ssimSum += ssim
            count += 1
            context.log.progress(Double(k + 1) / Double(images.images.count), entry.relativePath)
        }
        for skipped in images.skipped { context.log.write("skipped \(skipped.relativePath): \(skipped.error)") }
        try Data(csv.utf8).write(to: try context.output("report"))
        return StageResult(metrics: [
            Metric(name: "psnr", value: psnrSum / Double(max(count, 1))),
            Metric(name: "ssim", value: ssimSum / Double(max(count, 1))),
            Metric(name: "images", value: Double(count)),
            Metric(name: "skipped", value: Double(images.skipped.count)),
        ])
    }
}
