import Foundation
import Imaging
import Pipeline

/// `cyclegan_dataset`: downloads one of the public CycleGAN sets by name (monet2photo, …) with
/// size and checksum verification, resuming a partial download, into `trainA/trainB/testA/testB`.
/// It also fetches the Art2Real sets (landscape2photo, portrait2photo) from their authors; having no
/// published checksum, their archive's SHA-256 is recorded in the ledger at first download.
package struct CycleGANDatasetStage: Stage {
    package init() {}

    static let name = Param<String>("name", default: nil, rule: .oneOf((DatasetCatalog.cycleGAN + DatasetCatalog.art2real).map(\.name)),
                                    doc: "the set (Zhu et al. 2017; landscape2photo and portrait2photo: Tomei et al. 2019)")
    static let baseURL = Param<String>("base_url", default: DatasetCatalog.officialBaseURL.absoluteString,
                                       rule: ParamRule("an http(s) or file URL") { value in
                                           guard let text = value.stringValue else { return true }
                                           return URL(string: text).flatMap(\.scheme).map { ["http", "https", "file"].contains($0) } ?? false
                                       },
                                       doc: "where NAME.zip is served (the official location, the Art2Real authors' for their sets; a mirror may be named instead)")

    package var descriptor: StageDescriptor {
        StageDescriptor(
            kind: "cyclegan_dataset", version: 1,  // Art2Real names are new values: no existing fingerprint changes
            summary: "downloads a public CycleGAN dataset (trainA/trainB/testA/testB), verified and resumable",
            params: [Self.name.spec, Self.baseURL.spec],
            inputs: [], outputs: ["data"], imageOutputs: ["data"], metrics: { _ in MetricDeclaration.bookkeeping("downloaded_bytes", "images_*") })
    }

    package func run(_ context: StageContext) throws -> StageResult {
        let name = context.params[Self.name]
        guard var base = URL(string: context.params[Self.baseURL]) else {
            throw StageFailure.message("base_url is not a URL")
        }
        let art2real = DatasetCatalog.art2real.contains { $0.name == name }
        if art2real, base == DatasetCatalog.officialBaseURL { base = DatasetCatalog.art2realBaseURL }
        // The work folder outlives an interrupted attempt, so a partial download resumes.
        let downloads = context.workDirectory.appendingPathComponent("downloads")
        let installed = try DatasetDownloader(baseURL: base, catalog: DatasetCatalog.cycleGAN + DatasetCatalog.art2real).install(name, into: downloads) { progress in
            if let total = progress.total, total > 0 { context.log.progress(Double(progress.bytes) / Double(total), name) }
        }
        context.log.write("\(name): \(installed.downloadedBytes) bytes downloaded (resumed from \(installed.resumedFrom)), SHA-256 \(installed.archiveSHA256 ?? "not published")")
        if art2real, let sha = installed.archiveSHA256 {
            let trust = try TrustedHashes(ledger: try Ledger(path: Workspace(root: context.workspace).ledgerPath))
            let verdict = try trust.check(id: "dataset/\(name)", file: "\(name).zip", sha256: sha, size: nil,
                                          path: downloads.appendingPathComponent("\(name).zip"), source: base.absoluteString)
            context.log.write("\(name).zip: SHA-256 \(verdict == .trustedOnFirstUse ? "recorded now (trust on first use)" : "matches the recorded hash")")
        }
        let data = try context.output("data")
        try FileManager.default.moveItem(at: installed.root, to: data)
        let dataset = try CycleGANDataset(root: data)
        return StageResult(metrics: [Metric(name: "downloaded_bytes", value: Double(installed.downloadedBytes))]
            + CycleGANDataset.splits.map { Metric(name: "images_\($0)", value: Double(dataset.split($0)?.count ?? 0)) })
    }
}
