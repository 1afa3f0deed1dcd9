import Foundation
import Imaging
@testable import Pipeline
import Stages
import TestSupport

/// The shared harness of the stage-kind tests: runs one stage in a temporary folder the way the
/// executor would (its defaults filled in, a log, a work folder, cancellation), without a pipeline.
final class StageHarness {
    let root: URL

    init(_ label: String) throws {
        root = TemporaryFolder.url(label)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    /// Runs `stage` with its defaults overridden by `params`; `onProgress` sees every progress report
    /// and may cancel the run through the `Cancellation` it is given.
    func run(_ stage: Stage, params: [String: ParamValue], inputs: [String: URL], outputs: [String: URL],
             workDirectory: URL? = nil, threads: Int = 2,
             onProgress: (@Sendable (Double, String, Cancellation) -> Void)? = nil) throws -> StageResult {
        var all: [String: ParamValue] = [:]
        for spec in stage.descriptor.params ?? [] { all[spec.name] = spec.defaultValue }
        for (k, v) in params { all[k] = v }
        let work = workDirectory ?? url("work-\(stage.descriptor.kind)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let cancellation = Cancellation()
        let log = StageLog(url: url("\(stage.descriptor.kind).log"), append: true) { fraction, message in
            onProgress?(fraction, message, cancellation)
        }
        let context = StageContext(stageID: stage.descriptor.kind, fingerprint: "test", params: all, inputs: inputs,
                                   outputs: outputs, workDirectory: work, workspace: root, threads: threads,
                                   log: log, cancellation: cancellation)
        return try stage.run(context)
    }

    /// Demo scenes (photos and impressionist paintings) at `size` pixels under `demo/`.
    func demoScenes(train: Int, test: Int, size: Int) throws -> URL {
        let data = url("demo")
        try DemoScenes.write(DemoSceneOptions(trainCount: train, testCount: test, size: size, seed: 1, styles: [.impressionist]),
                             to: data)
        return data
    }

    /// A memory bank and FAISS index of the demo photos at one small scale (exact search).
    func patchBank(photos: URL, patch: Int = 8, stride: Int = 4) throws -> (bank: URL, index: URL) {
        let bank = url("bank"), index = url("index")
        _ = try run(MemoryBankStage(), params: ["scales": .list([.map(["patch": .int(patch), "stride": .int(stride)])]),
                                                "holdout": .int(10)],
                    inputs: ["photos": photos], outputs: ["bank": bank])
        _ = try run(ANNIndexStage(), params: ["index": .string("Flat")], inputs: ["bank": bank], outputs: ["index": index])
        return (bank, index)
    }
}

extension StageResult {
    /// The stepped series of metric `name`, in step order.
    func series(_ name: String) -> [Double] {
        metrics.filter { $0.name == name && $0.step != nil }.sorted { $0.step! < $1.step! }.map(\.value)
    }

    /// The value of the unstepped metric `name`.
    func value(_ name: String) -> Double? { metrics.first { $0.name == name && $0.step == nil }?.value }
}
