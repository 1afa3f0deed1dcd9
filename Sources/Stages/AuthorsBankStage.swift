import Foundation
import NN
import Pipeline
import Retrieval

/// `authors_bank`: imports the authors' `data_for_patch_retrieval` folder (aimagelab/art2real:
/// real-photo patches, FAISS indexes, painting masks) as a PleinAir bank and index folder, so `train`
/// runs against the authors' exact patches and indexes: one class (default 0, the authors' background
/// / "everything else" bank, which their loss uses wherever a painting has no mask), or `class: all`,
/// every class as a semantic bank (one bank and index per class, `BankClasses`). The
/// `masks_of_artistic_images_*` pickles are not read: `train` takes the paintings' masks as PNGs.
package struct AuthorsBankStage: Stage {
    package init() {}

    static let patchSizes = Param<[Int]>("patch_sizes", default: PatchScale.authorsDefaults.map(\.patch), rule: .atLeast(1),
                                         doc: "patch sizes to import, one patch_size_<P> folder each. Default 16, 8, 4: the authors' "
                                             + "multi-scale README example (aimagelab/art2real)")
    static let strides = Param<[Int]>("strides", default: PatchScale.authorsDefaults.map(\.stride), rule: .atLeast(1),
                                      doc: "the stride each imported scale records (its name, e.g. p16s6; train cuts generated images "
                                          + "with it), one per patch size. The "
                                          + "authors' bank does not record its extraction stride: this is a label, not a measurement. "
                                          + "Default 6, 5, 4: the strides of the authors' README example")
    static let classID = Param<ParamValue>("class", default: .int(0),
                                           rule: ParamRule("an integer ≥ 0 or all") { value in
                                               (value.intValue.map { $0 >= 0 } ?? false) || value.stringValue == "all"
                                           },
                                           doc: "semantic class id to import (<class>.bin, .npy, .index); 0 is the authors' background / "
                                               + "'everything else' bank. all: every class of the folder as a semantic bank (one bank and "
                                               + "index per class; train then needs the paintings' masks with the authors' class ids)")
    static let shortlist = Param<Int>("shortlist", default: 128, rule: .atLeast(1),
                                      doc: "candidates per query re-ranked exactly from the bank when an imported index stores "
                                          + "compressed codes (as ann_index's shortlist). Ours")
    static let rowsPerShard = Param<Int>("rows_per_shard", default: 65_536, rule: .atLeast(1),
                                         doc: "patches read from the authors' .bin per batch, one bank shard each (at 16×16: 192 MB of "
                                             + "floats read, a 48 MB shard written). Ours")

    package var descriptor: StageDescriptor {
        StageDescriptor(
            kind: "authors_bank", version: 2,
            summary: "imports one class, or all as a semantic bank, of the authors' data_for_patch_retrieval (patches, FAISS indexes), losslessly",
            params: [Self.patchSizes.spec, Self.strides.spec, Self.classID.spec, Self.shortlist.spec, Self.rowsPerShard.spec],
            inputs: [("data", true)], outputs: ["bank", "index"],
            check: { configuration in
                ConfigurationProblem.collect { _ = try Self.scales(configuration.params[Self.patchSizes],
                                                                   configuration.params[Self.strides]) }
            },
            metrics: { _ in
                MetricDeclaration.results("mean_difference.*", "index_self_distance.*")
                    + MetricDeclaration.bookkeeping("patches.*", "classes", "patch_bytes")
            })
    }

    /// The scales named by `patch_sizes` and `strides`, checked.
    static func scales(_ sizes: [Int], _ strides: [Int]) throws -> [PatchScale] {
        guard !sizes.isEmpty, sizes.count == strides.count else {
            throw ConfigurationProblem(param: Self.strides.name, "one stride per patch size: \(sizes.count) patch sizes, "
                                       + "\(strides.count) strides")
        }
        guard Set(sizes).count == sizes.count else {
            throw ConfigurationProblem(param: Self.patchSizes.name, "patch size listed twice in \(sizes)")
        }
        guard sizes.allSatisfy({ $0 >= 1 && $0 <= 256 }), strides.allSatisfy({ $0 >= 1 }) else {
            throw ConfigurationProblem(param: Self.patchSizes.name, "patch sizes in 1...256 and positive strides, got \(sizes) / \(strides)")
        }
        return zip(sizes, strides).map { PatchScale(patch: $0, stride: $1) }
    }

    package func run(_ context: StageContext) throws -> StageResult {
        let p = context.params
        let scales = try Self.scales(p[Self.patchSizes], p[Self.strides])
        let source = try context.input("data")
        let bankFolder = try context.output("bank"), indexFolder = try context.output("index")
        context.log.write("strides \(scales.map(\.stride)) are labels given to the import: the authors' bank does not record its own")
        guard let single = p[Self.classID].intValue else {
            // Every class of the folder, each an ordinary bank and index in class-NNN/.
            let ids = try AuthorsBankImport.classIDs(in: source, scales: scales)
            context.log.write("importing every class as a semantic bank: \(ids.map(String.init).joined(separator: ", ")); "
                              + "masks_of_artistic_images_* are not used")
            var metrics: [Metric] = [], entries: [BankClasses.Entry] = [], bytes = 0.0
            for id in ids {
                let folder = BankClasses.folder(id), name = id == 0 ? "other" : "class\(id)"
                let (rows, m) = try importClass(id, source: source, scales: scales, bank: bankFolder.appendingPathComponent(folder),
                                                index: indexFolder.appendingPathComponent(folder), label: name, context)
                metrics += m.filter { $0.name != "patch_bytes" }
                bytes += m.first { $0.name == "patch_bytes" }?.value ?? 0
                entries.append(BankClasses.Entry(id: id, name: name, patches: rows, folder: folder))
            }
            let classes = BankClasses(scales: scales, classes: entries)
            try classes.write(to: bankFolder)
            try classes.write(to: indexFolder)
            return StageResult(metrics: metrics + [Metric(name: "classes", value: Double(ids.count)), Metric(name: "patch_bytes", value: bytes)])
        }
        context.log.write("importing class \(single) only (class 0 is the authors' background bank; class: all imports every class); "
                          + "masks_of_artistic_images_* are not used")
        return StageResult(metrics: try importClass(single, source: source, scales: scales, bank: bankFolder, index: indexFolder,
                                                    label: nil, context).1)
    }

    /// Imports class `id` into `bank` and `index`; metric and log names carry `label` when given.
    private func importClass(_ id: Int, source: URL, scales: [PatchScale], bank bankFolder: URL, index indexFolder: URL, label: String?,
                             _ context: StageContext) throws -> ([String: Int], [Metric]) {
        let p = context.params
        let importer = AuthorsBankImport(source: source, classID: id, scales: scales, rowsPerShard: p[Self.rowsPerShard])
        let (manifest, r) = try importer.importBank(into: bankFolder, checkpoint: { try context.checkCancelled() })
        let bank = try MemoryBank(folder: bankFolder)
        // Named in the log before FAISS reads it: should a file that passed the checks still crash FAISS,
        // this stage's process dies and the runner's message ends with this line.
        let (indexManifest, reports) = try importer.importIndexes(bank: bank, reports: r, shortlist: p[Self.shortlist], into: indexFolder,
                                                                  reading: { context.log.write("FAISS reads \($0.path)") })
        let provenance = AuthorsBankImport.Provenance(source: importer.source.path, classID: id, scales: reports)
        try JSONManifest.write(provenance, to: bankFolder.appendingPathComponent(AuthorsBankImport.Provenance.fileName))
        var metrics: [Metric] = [], rows: [String: Int] = [:]
        for report in reports {
            let name = label.map { "\($0).\(report.scale.name)" } ?? report.scale.name
            rows[report.scale.name] = report.rows
            context.log.write(String(format: "%@: %d patches from %@; index %@ (%@), nprobe %d, vectors in %@ units; authors' mean in %@ "
                                     + "units, max |difference| %.3g from the exact mean of the imported rows (class_terms shares uses the "
                                     + "exact mean, authors the stored one)", name, report.rows, report.source, report.indexType,
                                     report.factory, report.nprobe, report.indexUnits ?? "?", report.meanUnits, report.meanDifference))
            if report.indexUnits == "[0,1]" {
                context.log.write("\(name): the index holds the [0, 1] rows: FAISS searches it with the [-1, 1] generator patches, as the "
                                  + "authors' code does (no exact scan over the bank)")
            }
            metrics += [Metric(name: "patches.\(name)", value: Double(report.rows)),
                        Metric(name: "mean_difference.\(name)", value: report.meanDifference),
                        Metric(name: "index_self_distance.\(name)", value: report.selfDistance)]
        }
        context.log.write("\(label.map { $0 + ": " } ?? "")index.json: factory \(indexManifest.factory), nprobe \(indexManifest.nprobe) "
                          + "as stored, shortlist \(indexManifest.shortlist)")
        context.log.write("no patches held out: every authors' patch is in the bank, so held-out recall cannot be measured on it")
        metrics.append(Metric(name: "patch_bytes", value: Double(manifest.scales.reduce(0) { $0 + $1.patches * $1.scale.dimension })))
        return (rows, metrics)
    }
}
