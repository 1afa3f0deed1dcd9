import Foundation
import Imaging
import Pipeline
import Vision

/// `memory_bank`: cuts patches at several scales from a folder of real photographs into
/// memory-mappable matrices (one per scale) with the source image and position of every patch.
public struct MemoryBankStage: Stage {
    public init() {}

    static let defaultScales: ParamValue = .list(PatchScale.authorsDefaults.map {
        .map(["patch": .int($0.patch), "stride": .int($0.stride)])
    })

    static let scalesParam = Param<ParamValue>("scales", default: MemoryBankStage.defaultScales,
                                               doc: "list of {patch, stride, rescale}: square patch side, step between patches, image resize "
                                                   + "factor before cutting (default 1). Default 16/6, 8/5, 4/4: the multi-scale example of the "
                                                   + "authors' README (aimagelab/art2real)")
    static let maxPatches = Param<Int>("max_patches", default: 200_000, rule: .atLeast(1),
                                       doc: "cap on bank patches per scale, a seeded uniform sample (reservoir) of all positions. Ours: the "
                                           + "authors keep every patch (about 40 GB with indexes, METHOD.md); 200k × 768 floats is 600 MB")
    static let holdout = Param<Int>("holdout", default: 1000, rule: .atLeast(0),
                                    doc: "patches per scale set aside (not in the bank; at most a fifth of the sample) on which "
                                        + "ann_index measures recall. Ours")
    static let seed = Param<Int>("seed", default: 0, doc: "seed of the patch sample and the holdout draw")
    static let badImages = Param<BadImagePolicy>("bad_images", default: .fail, doc: "fail on an image that does not decode, or skip it")

    public var descriptor: StageDescriptor {
        StageDescriptor(
            kind: "memory_bank", version: 1,
            summary: "multi-scale banks of real-photo patches (float32 .npy per scale, with source positions)",
            params: [Self.scalesParam.spec, Self.maxPatches.spec, Self.holdout.spec, Self.seed.spec, Self.badImages.spec],
            inputs: [("photos", true)], outputs: ["bank"],
            check: { configuration in
                ConfigurationProblem.collect { _ = try Self.scales(configuration.params[Self.scalesParam]) }
            })
    }

    /// Reads and checks the `scales` parameter.
    static func scales(_ value: ParamValue) throws -> [PatchScale] {
        func fail(_ message: String) -> ConfigurationProblem { ConfigurationProblem(param: scalesParam.name, message) }
        guard let items = value.listValue, !items.isEmpty else {
            throw fail("scales: expected a non-empty list of {patch, stride, rescale}")
        }
        let scales = try items.enumerated().map { k, item in
            guard case .map(let fields) = item else {
                throw fail("scales[\(k)]: expected a mapping like {patch: 16, stride: 6}, got \(item.typeName)")
            }
            for key in fields.keys where !["patch", "stride", "rescale"].contains(key) {
                throw fail("scales[\(k)]: unknown key '\(key)' (patch, stride, rescale)")
            }
            guard let patch = fields["patch"]?.intValue, patch >= 1, patch <= 256 else {
                throw fail("scales[\(k)].patch: expected an integer in 1...256, got \(fields["patch"]?.description ?? "nothing")")
            }
            guard let stride = fields["stride"]?.intValue, stride >= 1 else {
                throw fail("scales[\(k)].stride: expected a positive integer, got \(fields["stride"]?.description ?? "nothing")")
            }
            let rescale = fields["rescale"]?.doubleValue ?? 1
            guard rescale > 0, rescale <= 8 else {
                throw fail("scales[\(k)].rescale: expected a number in (0, 8], got \(rescale)")
            }
            return PatchScale(patch: patch, stride: stride, rescale: rescale)
        }
        guard Set(scales.map(\.name)).count == scales.count else {
            throw fail("scales: two scales have the same patch, stride and rescale")
        }
        return scales
    }

    public func run(_ context: StageContext) throws -> StageResult {
        let p = context.params
        let scales = try MemoryBankStage.scales(p[Self.scalesParam])
        let cap = p[Self.maxPatches], holdout = p[Self.holdout]
        let seed = UInt64(truncatingIfNeeded: p[Self.seed])
        let policy = p[Self.badImages]
        let folder = try ImageFolder(root: try context.input("photos"))
        guard folder.count > 0 else { throw StageFailure.message("no images in \(folder.root.path)") }
        var reservoirs = scales.enumerated().map { k, scale in
            ScaleReservoir(scale: scale, capacity: cap, holdout: holdout, seed: seed &+ UInt64(k) &* 0x9E37_79B9_7F4A_7C15)
        }
        var used: [String] = []
        var skipped = 0
        for (k, path) in folder.relativePaths.enumerated() {
            try context.checkCancelled()
            let image: Image
            do {
                image = try folder.image(at: k).convertedTo8Bit().toRGB()
            } catch {
                if policy == .skip { context.log.write("skipped \(path): \(error)"); skipped += 1; continue }
                throw StageFailure.message("\(path): \(error)")
            }
            let index = used.count
            used.append(path)
            for r in reservoirs.indices {
                let scale = reservoirs[r].scale
                let w = scale.rescaled(image.width), h = scale.rescaled(image.height)
                let source = (w == image.width && h == image.height) ? image : image.resized(width: w, height: h, filter: .bilinear)
                reservoirs[r].offer(source.planarFloats(), width: w, height: h, imageIndex: index)
            }
            context.log.progress(Double(k + 1) / Double(folder.count), path)
        }
        let out = try context.output("bank")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        var entries: [MemoryBankManifest.Scale] = []
        var metrics: [Metric] = [Metric(name: "images", value: Double(used.count)), Metric(name: "skipped", value: Double(skipped))]
        for r in reservoirs.indices {
            let entry = try reservoirs[r].write(to: out)
            entries.append(entry)
            context.log.write("\(entry.scale.name): \(entry.patches) patches in the bank, \(entry.holdout) held out, "
                              + "of \(entry.candidates) positions")
            metrics.append(Metric(name: "patches.\(entry.scale.name)", value: Double(entry.patches)))
            metrics.append(Metric(name: "candidates.\(entry.scale.name)", value: Double(entry.candidates)))
        }
        try MemoryBankManifest(images: used, scales: entries, seed: seed).write(to: out)
        return StageResult(metrics: metrics)
    }
}
