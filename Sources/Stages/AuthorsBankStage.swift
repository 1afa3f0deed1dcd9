import Foundation
import NN
import Pipeline
import Vision

/// `authors_bank`: imports one semantic class of the authors' `data_for_patch_retrieval` folder
/// (aimagelab/art2real: real-photo patches, FAISS indexes, painting masks) as a PleinAir bank and
/// index folder, so `train` runs against the authors' exact patches and indexes.
///
/// PleinAir banks are single-class until semantic banks land: one import takes one class (default
/// 0, the authors' background / "everything else" bank, which their loss uses wherever a painting
/// has no mask). The `masks_of_artistic_images_*` pickles are not read: nothing uses them until
/// semantic banks land.
public struct AuthorsBankStage: Stage {
    public init() {}

    static let patchSizes = Param<[Int]>("patch_sizes", default: PatchScale.authorsDefaults.map(\.patch), rule: .atLeast(1),
                                         doc: "patch sizes to import, one patch_size_<P> folder each. Default 16, 8, 4: the authors' "
                                             + "multi-scale README example (aimagelab/art2real)")
    static let strides = Param<[Int]>("strides", default: PatchScale.authorsDefaults.map(\.stride), rule: .atLeast(1),
                                      doc: "the stride each imported scale records (its name, e.g. p16s6; train cuts generated images "
                                          + "with it), one per patch size. The "
                                          + "authors' bank does not record its extraction stride: this is a label, not a measurement. "
                                          + "Default 6, 5, 4: the strides of the authors' README example")
    static let classID = Param<Int>("class", default: 0, rule: .atLeast(0),
                                    doc: "semantic class id to import (<class>.bin, .npy, .index); 0 is the authors' background / "
                                        + "'everything else' bank. PleinAir banks hold one class until semantic banks land")
    static let shortlist = Param<Int>("shortlist", default: 128, rule: .atLeast(1),
                                      doc: "candidates per query re-ranked exactly from the bank when an imported index stores "
                                          + "compressed codes (as ann_index's shortlist). Ours")
    static let rowsPerShard = Param<Int>("rows_per_shard", default: 65_536, rule: .atLeast(1),
                                         doc: "patches read from the authors' .bin per batch, one bank shard each (at 16×16: 192 MB of "
                                             + "floats read, a 48 MB shard written). Ours")

    public var descriptor: StageDescriptor {
        StageDescriptor(
            kind: "authors_bank", version: 1,
            summary: "imports one class of the authors' data_for_patch_retrieval (patches, FAISS indexes) as a bank and index, losslessly",
            params: [Self.patchSizes.spec, Self.strides.spec, Self.classID.spec, Self.shortlist.spec, Self.rowsPerShard.spec],
            inputs: [("data", true)], outputs: ["bank", "index"],
            check: { configuration in
                ConfigurationProblem.collect { _ = try Self.scales(configuration.params[Self.patchSizes],
                                                                   configuration.params[Self.strides]) }
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

    public func run(_ context: StageContext) throws -> StageResult {
        let p = context.params
        let scales = try Self.scales(p[Self.patchSizes], p[Self.strides])
        let classID = p[Self.classID]
        let importer = AuthorsBankImport(source: try context.input("data"), classID: classID, scales: scales,
                                         rowsPerShard: p[Self.rowsPerShard])
        context.log.write("importing class \(classID) only (PleinAir banks hold one class until semantic banks land; "
                          + "class 0 is the authors' background bank); masks_of_artistic_images_* are not used")
        context.log.write("strides \(scales.map(\.stride)) are labels given to the import: the authors' bank does not record its own")
        let bankFolder = try context.output("bank"), indexFolder = try context.output("index")
        let manifest: MemoryBankManifest, reports: [AuthorsBankImport.ScaleReport], indexManifest: PatchIndexManifest
        do {
            let (m, r) = try importer.importBank(into: bankFolder, checkpoint: { try context.checkCancelled() })
            manifest = m
            let bank = try MemoryBank(folder: bankFolder)
            (indexManifest, reports) = try importer.importIndexes(bank: bank, reports: r, shortlist: p[Self.shortlist], into: indexFolder)
            let provenance = AuthorsBankImport.Provenance(source: importer.source.path, classID: classID, scales: reports)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(provenance).write(to: bankFolder.appendingPathComponent(AuthorsBankImport.Provenance.fileName),
                                                 options: .atomic)
        } catch let error as AuthorsBankError {
            throw StageFailure.message("\(error)")
        } catch let error as BankFileError {
            throw StageFailure.message("\(error)")
        }
        var metrics: [Metric] = []
        for report in reports {
            let name = report.scale.name
            context.log.write(String(format: "%@: %d patches from %@; index %@ (%@), nprobe %d; authors' mean in %@ units, max |difference| "
                                     + "%.3g from the exact mean of the imported rows (the bank uses the exact mean)", name, report.rows,
                                     report.source, report.indexType, report.factory, report.nprobe, report.meanUnits,
                                     report.meanDifference))
            metrics += [Metric(name: "patches.\(name)", value: Double(report.rows)),
                        Metric(name: "mean_difference.\(name)", value: report.meanDifference),
                        Metric(name: "index_self_distance.\(name)", value: report.selfDistance)]
        }
        context.log.write("index.json: factory \(indexManifest.factory), nprobe \(indexManifest.nprobe) as stored, shortlist "
                          + "\(indexManifest.shortlist)")
        context.log.write("no patches held out: every authors' patch is in the bank, so held-out recall cannot be measured on it")
        metrics.append(Metric(name: "patch_bytes", value: Double(manifest.scales.reduce(0) { $0 + $1.patches * $1.scale.dimension })))
        return StageResult(metrics: metrics)
    }
}
