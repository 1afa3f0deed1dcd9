import Foundation
import Pipeline

/// `pretrained`: a released generator by name (the CycleGAN zoo's, the Art2Real authors'), as a
/// model folder `translate` reads. Files are cached under `$PLEINAIR_WEIGHTS/released/`, and the
/// SHA-256 each had at first download is recorded in the workspace ledger and required after.
package struct PretrainedStage: Stage {
    package init() {}

    static let source = Param<String>("source", default: nil, rule: .oneOf(ReleasedModel.Source.allCases.map(\.rawValue)),
                                      doc: "who published it: cyclegan_zoo (one generator) or art2real (G_A and G_B)")
    static let name = Param<String>("name", default: nil, doc: "the model's published name (monet2photo, landscape2photo, …)")
    static let baseURL = Param<String>("base_url", default: "",
                                       rule: ParamRule("empty, or an http(s) or file URL") { value in
                                           guard let text = value.stringValue, !text.isEmpty else { return true }
                                           return URL(string: text).flatMap(\.scheme).map { ["http", "https", "file"].contains($0) } ?? false
                                       },
                                       doc: "a mirror to fetch from instead of the publisher (empty: the publisher)")

    package var descriptor: StageDescriptor {
        StageDescriptor(
            kind: "pretrained", version: 1,
            summary: "a released generator by name (CycleGAN zoo, Art2Real) as a model folder; hash trusted on first download",
            params: [Self.source.spec, Self.name.spec, Self.baseURL.spec], inputs: [], outputs: ["model"],
            check: { configuration in
                ConfigurationProblem.collect { _ = try Self.model(configuration.params) }
            },
            metrics: { _ in MetricDeclaration.bookkeeping("downloaded_bytes", "files") })
    }

    /// The catalogue entry the parameters name.
    static func model(_ p: [String: ParamValue]) throws -> ReleasedModel {
        let sourceName = p[source], modelName = p[name]
        guard let s = ReleasedModel.Source(rawValue: sourceName) else { throw ConfigurationProblem(param: source.name, "unknown source \(sourceName)") }
        guard let model = ReleasedModelCatalog.find(source: s, name: modelName) else {
            let known = ReleasedModelCatalog.all.filter { $0.source == s }.map(\.name)
            throw ConfigurationProblem(param: name.name, "\(sourceName) has no model '\(modelName)'; known: \(known.joined(separator: ", "))")
        }
        return model
    }

    package func run(_ context: StageContext) throws -> StageResult {
        let model = try Self.model(context.params)
        let base = context.params[Self.baseURL]
        let fetcher = ReleasedModelFetcher(baseURL: base.isEmpty ? nil : URL(string: base))
        let trust = try TrustedHashes(ledger: try Ledger(path: Workspace(root: context.workspace).ledgerPath))
        let files = try fetcher.fetch(model, trust: trust) { progress in
            if let total = progress.total, total > 0 { context.log.progress(Double(progress.bytes) / Double(total), model.id) }
        }
        let out = try context.output("model")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        var downloaded: Int64 = 0
        for file in files {
            try FileManager.default.copyItem(at: file.path, to: out.appendingPathComponent(file.path.lastPathComponent))
            downloaded += file.downloadedBytes
            let how = file.verdict == .trustedOnFirstUse ? "recorded now (trust on first use)" : "matches the recorded hash"
            context.log.write("\(model.id)/\(file.path.lastPathComponent): SHA-256 \(file.sha256), \(how)")
        }
        return StageResult(metrics: [Metric(name: "downloaded_bytes", value: Double(downloaded)),
                                     Metric(name: "files", value: Double(files.count))])
    }
}
