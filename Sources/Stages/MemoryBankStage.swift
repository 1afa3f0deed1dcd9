import Basics
import Foundation
import Imaging
import NN
import Pipeline
import Retrieval

/// `memory_bank`: cuts patches at several scales from a folder of real photographs into
/// memory-mappable matrices (one per scale) with the source image and position of every patch.
/// Given the photos' segmentation `masks`, one bank per class: under `class_terms: shares` a patch is
/// in the class of at least half its pixels, else class 0; under `authors` in every class whose
/// mask covers at least half of it (`PatchClassMembership`, aimagelab/art2real's rule).
package struct MemoryBankStage: Stage {
    package init() {}

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
                                        + "which ann_index measures recall; with masks, over all classes together. Ours")
    static let imagesPerShard = Param<Int>("images_per_shard", default: 128, rule: .atLeast(1),
                                           doc: "source images per shard: the unit a killed build resumes from and the most held in memory "
                                               + "(128 photos at 256² are ~220 MB of patches at 16/6, 8/5, 4/4). Ours")
    static let seed = Param<Int>("seed", default: 0, doc: "seed of the patch sample and the holdout draw")
    static let classTerms = Param<ClassTerms>("class_terms", default: .shares,
                                              doc: "with masks, which patches go into each class bank: 'authors' (aimagelab/art2real) puts a patch "
                                                  + "in every class whose mask covers half of it (so in two, or none), class 0 being the pixels in "
                                                  + "no class; 'shares' (ours) puts it in the one class of most of its pixels, else class 0")
    static let badImages = Param<BadImagePolicy>("bad_images", default: .fail, doc: "fail on an image that does not decode, or skip it")

    package var descriptor: StageDescriptor {
        StageDescriptor(
            kind: "memory_bank", version: 2,
            summary: "multi-scale banks of every real-photo patch (8-bit .npy shards per scale, with source positions), resumable",
            params: [Self.scalesParam.spec, Self.maxPatches.spec, Self.holdout.spec, Self.imagesPerShard.spec, Self.seed.spec,
                     Self.classTerms.spec, Self.badImages.spec],
            inputs: [("photos", true), ("masks", false)], outputs: ["bank"],
            check: { configuration in
                ConfigurationProblem.collect { _ = try Self.scales(configuration.params[Self.scalesParam]) }
            },
            metrics: { _ in
                MetricDeclaration.results("kept_fraction", "kept_fraction.*")
                    + MetricDeclaration.bookkeeping("patches.*", "candidates.*", "held_out.*", "classes", "images", "skipped", "shards",
                                                    "resumed_shards", "patch_bytes")
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

    package func run(_ context: StageContext) throws -> StageResult {
        let p = context.params
        let scales = try MemoryBankStage.scales(p[Self.scalesParam])
        let cap = p[Self.maxPatches] > 0 ? p[Self.maxPatches] : nil
        let seed = UInt64(truncatingIfNeeded: p[Self.seed])
        let policy = p[Self.badImages]
        let terms = p[Self.classTerms]
        let folder = try ImageFolder(root: try context.input("photos"))
        guard folder.count > 0 else { throw StageFailure.message("no images in \(folder.root.path)") }
        let masks = try context.inputs["masks"].map { url in try MaskFolder(root: url) }
        func load(_ k: Int) throws -> Image? {
            do {
                return try folder.image(at: k).convertedTo8Bit().toRGB()
            } catch {
                if policy == .skip { context.log.write("skipped \(folder.relativePaths[k]): \(error)"); return nil }
                throw StageFailure.message("\(folder.relativePaths[k]): \(error)")
            }
        }
        let work = context.workDirectory.appendingPathComponent("shards")
        let imagesPerShard = p[Self.imagesPerShard]
        // The banks this build fills: one of every patch, or (with masks) one per class with patches.
        var groups: [ShardedBankBuild.Group] = []
        if let masks {
            // The classes' positions, counted on the masks first. Every class draws with the rates
            // the whole bank would (holdout and cap per scale over all classes), so each patch's fate
            // is the one it has in a bank without masks: the class banks partition that bank.
            var expected: [Int: [Int]] = [:]
            var positions = [Int](repeating: 0, count: scales.count)
            for k in 0..<folder.count {
                try context.checkCancelled()
                let mask = try masks.mask(for: folder.relativePaths[k])
                for (s, scale) in scales.enumerated() {
                    for (id, include) in Self.members(mask, scale: scale, width: mask.width, height: mask.height, terms: terms) {
                        expected[id, default: Array(repeating: 0, count: scales.count)][s] += include.reduce(0) { $0 + ($1 ? 1 : 0) }
                    }
                    positions[s] += scale.positions(scale.rescaled(mask.width)) * scale.positions(scale.rescaled(mask.height))
                }
            }
            // Under the authors' rule a patch may be in two banks or none: the rates are those of
            // every position, which is what the class banks partition under ours.
            let totals = terms == .authors ? positions : scales.indices.map { s in expected.values.reduce(0) { $0 + $1[s] } }
            let selection = PatchSelection(expected: totals, holdout: p[Self.holdout], cap: cap, seed: seed)
            for id in masks.classes.ids where expected[id] != nil {
                let name = BankClasses.folder(id)
                groups.append(ShardedBankBuild.Group(id: id, name: masks.classes.name(id), folder: name,
                                    builder: MemoryBankBuilder(scales: scales, selection: selection, imagesPerShard: imagesPerShard,
                                                               work: work.appendingPathComponent(name))))
            }
            context.log.write("semantic banks: \(groups.map(\.name).joined(separator: ", ")) from \(masks.root.path)")
        } else {
            // Holdout and cap rates from the positions expected if every image had the first one's size.
            guard let first = try (0..<folder.count).lazy.compactMap({ try load($0) }).first else {
                throw StageFailure.message("no image in \(folder.root.path) decodes")
            }
            let expected = scales.map { s in
                s.positions(s.rescaled(first.width)) * s.positions(s.rescaled(first.height)) * folder.count
            }
            let selection = PatchSelection(expected: expected, holdout: p[Self.holdout], cap: cap, seed: seed)
            groups.append(ShardedBankBuild.Group(id: nil, name: "all", folder: nil,
                                builder: MemoryBankBuilder(scales: scales, selection: selection, imagesPerShard: imagesPerShard, work: work)))
        }
        let build = ShardedBankBuild(scales: scales, groups: groups)
        let outcome = try build.run(imageCount: folder.count, image: { k in
            guard let image = try load(k) else { return nil }
            let mask = try masks.map { m in try m.mask(for: folder.relativePaths[k], width: image.width, height: image.height) }
            return scales.map { scale in
                let w = scale.rescaled(image.width), h = scale.rescaled(image.height)
                let source = (w == image.width && h == image.height) ? image : image.resized(width: w, height: h, filter: .bilinear)
                let members = mask.map { Self.members($0, scale: scale, width: image.width, height: image.height, terms: terms) }
                return ShardedBankBuild.ScaledImage(planar: Self.planarBytes(source), width: w, height: h, members: members)
            }
        }, checkpoint: { try context.checkCancelled() },
           progress: { k in context.log.progress(Double(k + 1) / Double(folder.count), folder.relativePaths[k]) },
           log: { context.log.notice($0) })  // where a resumed build resumed, on the terminal too
        let records = outcome.records
        let out = try context.output("bank")
        var metrics: [Metric] = []
        var entries: [BankClasses.Entry] = masks.map { m in
            m.classes.ids.map { BankClasses.Entry(id: $0, name: m.classes.name($0), patches: [:], folder: nil) }
        } ?? []
        var keptFraction = 1.0, bytes = 0
        var totals = [Int](repeating: 0, count: scales.count)
        for (g, group) in groups.enumerated() {
            let manifest: MemoryBankManifest?
            do {
                manifest = try group.builder.finish(records: records[g], images: folder.relativePaths, seed: seed,
                                                    cap: cap, into: group.folder.map { out.appendingPathComponent($0) } ?? out,
                                                    dropEmptyScales: group.id != nil)
            } catch let error as BankFileError {
                throw StageFailure.message("\(error)")
            }
            guard let manifest else { continue }
            keptFraction = min(keptFraction, manifest.keptFraction)
            var patches: [String: Int] = [:]
            for entry in manifest.scales {
                let name = group.id == nil ? entry.scale.name : "\(group.name).\(entry.scale.name)"
                bytes += entry.patches * entry.scale.dimension
                patches[entry.scale.name] = entry.patches
                totals[scales.firstIndex(of: entry.scale)!] += entry.patches
                context.log.write("\(name): \(entry.patches) patches in the bank (\(entry.shardRows.count) shards), \(entry.holdout) held out, "
                                  + "of \(entry.candidates) positions" + (cap == nil ? "" : String(format: "; capped: %.4f of the rest kept",
                                                                                                    entry.keptFraction)))
                metrics.append(Metric(name: "patches.\(name)", value: Double(entry.patches)))
                metrics.append(Metric(name: "candidates.\(name)", value: Double(entry.candidates)))
                metrics.append(Metric(name: "held_out.\(name)", value: Double(entry.holdout)))
                metrics.append(Metric(name: "kept_fraction.\(name)", value: entry.keptFraction))
            }
            if let id = group.id, let e = entries.firstIndex(where: { $0.id == id }) {
                entries[e].patches = patches
                entries[e].folder = group.folder
            }
        }
        if masks != nil {
            guard let background = entries.first(where: { $0.id == 0 }), scales.allSatisfy({ (background.patches[$0.name] ?? 0) > 0 }) else {
                let rule = terms == .authors ? "under class_terms authors, patches at least half in no mask (id 0)"
                    : "patches no class covers by half"
                throw StageFailure.message("class 0 (\(rule), every other class's fallback) has no patches at some scale: "
                                           + "\(entries.first { $0.id == 0 }?.patches ?? [:]); add smaller scales or masks with an 'other' "
                                           + "region (id 0)" + (terms == .authors ? ", or build the banks with class_terms: shares" : ""))
            }
            for entry in entries where entry.folder == nil { context.log.write("class \(entry.name): no patches; its regions use class 0's bank") }
            try BankClasses(scales: scales, classes: entries).write(to: out)
            for (s, scale) in scales.enumerated() { metrics.append(Metric(name: "patches.\(scale.name)", value: Double(totals[s]))) }
            metrics.append(Metric(name: "classes", value: Double(entries.filter { $0.folder != nil }.count)))
        }
        let skipped = records[0].reduce(0) { $0 + $1.skipped.count }
        metrics += [Metric(name: "images", value: Double(folder.count - skipped)), Metric(name: "skipped", value: Double(skipped)),
                    Metric(name: "shards", value: Double(outcome.shards)), Metric(name: "resumed_shards", value: Double(outcome.resumed))]
        metrics.append(Metric(name: "kept_fraction", value: keptFraction))
        metrics.append(Metric(name: "patch_bytes", value: Double(bytes)))
        return StageResult(metrics: metrics)
    }

    /// Per class with patches at `scale`, which positions of the (rescaled) image go into its bank.
    static func members(_ mask: LabelMap, scale: PatchScale, width: Int, height: Int, terms: ClassTerms) -> [Int: [Bool]] {
        let count = scale.positions(scale.rescaled(width)) * scale.positions(scale.rescaled(height))
        var out: [Int: [Bool]] = [:]
        switch terms {
        case .shares:
            for (position, id) in PatchClassRule.classes(of: mask, scale: scale, width: width, height: height).enumerated() {
                out[Int(id), default: [Bool](repeating: false, count: count)][position] = true
            }
        case .authors:
            for member in PatchClassMembership.members(of: ClassMasks(mask), scale: scale, width: width, height: height) {
                for position in member.positions { out[member.id, default: [Bool](repeating: false, count: count)][position] = true }
            }
        }
        return out
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
