import Foundation
import Imaging
import Pipeline

/// `cyclegan_dataset`: downloads one of the public CycleGAN sets by name (monet2photo, …) with
/// size and checksum verification, resuming a partial download, into `trainA/trainB/testA/testB`.
public struct CycleGANDatasetStage: Stage {
    public init() {}

    static let name = Param<String>("name", default: nil, rule: .oneOf(DatasetCatalog.cycleGAN.map(\.name)),
                                    doc: "the set (Zhu et al. 2017)")
    static let baseURL = Param<String>("base_url", default: DatasetCatalog.officialBaseURL.absoluteString,
                                       rule: ParamRule("an http(s) or file URL") { value in
                                           guard let text = value.stringValue else { return true }
                                           return URL(string: text).flatMap(\.scheme).map { ["http", "https", "file"].contains($0) } ?? false
                                       },
                                       doc: "where NAME.zip is served (the official location; a mirror may be named instead)")

    public var descriptor: StageDescriptor {
        StageDescriptor(
            kind: "cyclegan_dataset", version: 1,
            summary: "downloads a public CycleGAN dataset (trainA/trainB/testA/testB), verified and resumable",
            params: [Self.name.spec, Self.baseURL.spec],
            inputs: [], outputs: ["data"])
    }

    public func run(_ context: StageContext) throws -> StageResult {
        let name = context.params[Self.name]
        guard let base = URL(string: context.params[Self.baseURL]) else {
            throw StageFailure.message("base_url is not a URL")
        }
        // The work folder outlives an interrupted attempt, so a partial download resumes.
        let downloads = context.workDirectory.appendingPathComponent("downloads")
        let installed = try DatasetDownloader(baseURL: base).install(name, into: downloads) { progress in
            if let total = progress.total, total > 0 { context.log.progress(Double(progress.bytes) / Double(total), name) }
        }
        context.log.write("\(name): \(installed.downloadedBytes) bytes downloaded (resumed from \(installed.resumedFrom)), SHA-256 \(installed.archiveSHA256 ?? "not published")")
        let data = try context.output("data")
        try FileManager.default.moveItem(at: installed.root, to: data)
        let dataset = try CycleGANDataset(root: data)
        return StageResult(metrics: [Metric(name: "downloaded_bytes", value: Double(installed.downloadedBytes))]
            + CycleGANDataset.splits.map { Metric(name: "images_\($0)", value: Double(dataset.split($0)?.count ?? 0)) })
    }
}
