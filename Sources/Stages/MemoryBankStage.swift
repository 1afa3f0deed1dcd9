import Foundation
import Imaging
import NN
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
    static let maxPatches = Param<Int>("max_patches", default: 0, rule: .atLeast(0),
                                       doc: "cap on bank patches per scale, about this many drawn uniformly (seeded) from all positions; 0 keeps "
                                           + "every patch, as the authors do. A cap in force is reported: the kept fraction is a metric of this "
                                           + "stage and of every train stage using the bank")
    static let holdout = Param<Int>("holdout", default: 1000, rule: .atLeast(0),
                                    doc: "about this many patches per scale set aside (not in the bank; at most a fifth of the positions) on "
                                        + "which ann_index measures recall. Ours")
    static let imagesPerShard = Param<Int>("images_per_shard", default: 128, rule: .atLeast(1),
                                           doc: "source images per shard: the unit a killed build resumes from and the most held in memory "
                                               + "(128 photos at 256² are ~220 MB of patches at 16/6, 8/5, 4/4). Ours")
    static let seed = Param<Int>("seed", default: 0, doc: "seed of the patch sample and the holdout draw")
    static let badImages = Param<BadImagePolicy>("bad_images", default: .fail, doc: "fail on an image that does not decode, or skip it")

    public var descriptor: StageDescriptor {
        StageDescriptor(
            kind: "memory_bank", version: 2,
            summary: "multi-scale banks of every real-photo patch (8-bit .npy shards per scale, with source positions), resumable",
            params: [Self.scalesParam.spec, Self.maxPatches.spec, Self.holdout.spec, Self.imagesPerShard.spec, Self.seed.spec,
                     Self.badImages.spec],
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
        let cap = p[Self.maxPatches] > 0 ? p[Self.maxPatches] : nil
        let seed = UInt64(truncatingIfNeeded: p[Self.seed])
        let policy = p[Self.badImages]
        let folder = try ImageFolder(root: try context.input("photos"))
        guard folder.count > 0 else { throw StageFailure.message("no images in \(folder.root.path)") }
        func load(_ k: Int) throws -> Image? {
            do {
                return try folder.image(at: k).convertedTo8Bit().toRGB()
            } catch {
                if policy == .skip { context.log.write("skipped \(folder.relativePaths[k]): \(error)"); return nil }
                throw StageFailure.message("\(folder.relativePaths[k]): \(error)")
            }
        }
        // Holdout and cap rates from the positions expected if every image had the first one's size.
        guard let first = try (0..<folder.count).lazy.compactMap({ try load($0) }).first else {
            throw StageFailure.message("no image in \(folder.root.path) decodes")
        }
        let expected = scales.map { s in
            s.positions(s.rescaled(first.width)) * s.positions(s.rescaled(first.height)) * folder.count
        }
        let selection = PatchSelection(expected: expected, holdout: p[Self.holdout], cap: cap, seed: seed)
        let builder = MemoryBankBuilder(scales: scales, selection: selection, imagesPerShard: p[Self.imagesPerShard],
                                        work: context.workDirectory.appendingPathComponent("shards"))
        try FileManager.default.createDirectory(at: builder.work, withIntermediateDirectories: true)
        let shardCount = builder.shardCount(images: folder.count)
        // Shards committed by an earlier, interrupted attempt of this fingerprint are kept.
        var records = (0..<shardCount).map { builder.committed($0) }
        let resumed = records.compactMap { $0 }.count
        if resumed > 0 { context.log.write("resuming: \(resumed) of \(shardCount) shards were cut by an earlier attempt") }
        for index in 0..<shardCount where records[index] == nil {
            var shard = builder.shard(index)
            for k in builder.images(ofShard: index, of: folder.count) {
                try context.checkCancelled()
                guard let image = try load(k) else { shard.skip(image: k); continue }
                for (s, scale) in scales.enumerated() {
                    let w = scale.rescaled(image.width), h = scale.rescaled(image.height)
                    let source = (w == image.width && h == image.height) ? image : image.resized(width: w, height: h, filter: .bilinear)
                    Self.planarBytes(source).withUnsafeBufferPointer {
                        shard.add(scale: s, planar: $0, width: w, height: h, image: k)
                    }
                }
                context.log.progress(Double(k + 1) / Double(folder.count), folder.relativePaths[k])
            }
            records[index] = try shard.write(to: builder.work)
        }
        let out = try context.output("bank")
        let manifest: MemoryBankManifest
        do {
            manifest = try builder.finish(records: records.compactMap { $0 }, images: folder.relativePaths, seed: seed, cap: cap, into: out)
        } catch let error as BankFileError {
            throw StageFailure.message("\(error)")
        }
        let skipped = records.reduce(0) { $0 + ($1?.skipped.count ?? 0) }
        var metrics: [Metric] = [Metric(name: "images", value: Double(folder.count - skipped)), Metric(name: "skipped", value: Double(skipped)),
                                 Metric(name: "shards", value: Double(shardCount)), Metric(name: "resumed_shards", value: Double(resumed))]
        var bytes = 0
        for entry in manifest.scales {
            let name = entry.scale.name
            bytes += entry.patches * entry.scale.dimension
            context.log.write("\(name): \(entry.patches) patches in the bank (\(entry.shardRows.count) shards), \(entry.holdout) held out, "
                              + "of \(entry.candidates) positions" + (cap == nil ? "" : String(format: "; capped: %.4f of the rest kept",
                                                                                                entry.keptFraction)))
            metrics.append(Metric(name: "patches.\(name)", value: Double(entry.patches)))
            metrics.append(Metric(name: "candidates.\(name)", value: Double(entry.candidates)))
            metrics.append(Metric(name: "held_out.\(name)", value: Double(entry.holdout)))
            metrics.append(Metric(name: "kept_fraction.\(name)", value: entry.keptFraction))
        }
        metrics.append(Metric(name: "kept_fraction", value: manifest.keptFraction))
        metrics.append(Metric(name: "patch_bytes", value: Double(bytes)))
        return StageResult(metrics: metrics)
    }

    /// The image's samples as planar (CHW) bytes, the layout patches are cut in.
    static func planarBytes(_ image: Image) -> [UInt8] {
        let plane = image.width * image.height, channels = image.channels
        return [UInt8](unsafeUninitializedCapacity: plane * channels) { out, n in
            image.samples.withUnsafeBufferPointer { src in
                for c in 0..<channels { for i in 0..<plane { out[c * plane + i] = UInt8(truncatingIfNeeded: src[i * channels + c]) } }
            }
            n = plane * channels
        }
    }
}
