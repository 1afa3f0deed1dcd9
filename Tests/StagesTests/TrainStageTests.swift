import Foundation
import Imaging
import NN
import Pipeline
import Stages
import XCTest
import CycleGAN

/// `train` on the demo scenes at toy sizes: the losses fall, outputs are where they belong, and an
/// interrupted run resumed from its checkpoint ends with the weights of an uninterrupted one.
final class TrainStageTests: XCTestCase {
    /// Small enough for a debug build (~0.15 s an iteration): 16² crops, ngf/ndf 4, one residual
    /// block, a 2-layer PatchGAN (the 3-layer one needs 24² at least).
    static let toy: [String: ParamValue] = [
        "ngf": .int(4), "ndf": .int(4), "n_blocks": .int(1), "n_layers_d": .int(2), "load_size": .int(20), "crop_size": .int(16),
        "epochs": .int(1), "decay_epochs": .int(1), "sample_count": .int(2), "seed": .int(3),
    ]

    static func params(_ extra: [String: ParamValue]) -> [String: ParamValue] { toy.merging(extra) { $1 } }

    func testShortDemoRunLowersGeneratorAdversarialCycleAndPatchLosses() throws {
        let runner = try StageHarness("train-losses")
        let data = try runner.demoScenes(train: 24, test: 1, size: 24)
        let (bank, index) = try runner.patchBank(photos: data.appendingPathComponent("photos/train"))
        // A compressed schedule: 80 iterations at 2.5x the paper's step size, half of them decaying.
        let iterations = 80
        let result = try runner.run(
            TrainStage(), params: Self.params(["epoch_size": .int(iterations / 2), "lambda_patch": .double(1),
                                               "sample_every": .int(40), "lr": .double(5e-4)]),
            inputs: ["A": data.appendingPathComponent("impressionist/train"), "B": data.appendingPathComponent("photos/train"),
                     "bank": bank, "index": index],
            outputs: ["model": runner.url("model"), "samples": runner.url("samples")])
        XCTAssertEqual(result.value("iterations"), Double(iterations))
        XCTAssertEqual(result.value("bank_kept_fraction"), 1, "the bank keeps every patch: no cap to report")
        func early(_ s: [Double]) -> Double { s.prefix(16).reduce(0, +) / 16 }
        func late(_ s: [Double]) -> Double { s.suffix(16).reduce(0, +) / 16 }
        for name in ["loss.G_A", "loss.cycle_A", "loss.patch"] {
            let series = result.series(name)
            XCTAssertEqual(series.count, iterations, name)
            XCTAssertLessThan(late(series), early(series), "\(name): early \(early(series)), late \(late(series))")
        }
        for name in ["G_A", "G_B", "D_A", "D_B"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: runner.url("model/\(name).safetensors").path), name)
        }
        let grids = try FileManager.default.contentsOfDirectory(atPath: runner.url("samples").path).sorted()
        XCTAssertEqual(grids, ["iter_0000040.png", "iter_0000080.png"])
        // While it trained, each loss window also went beside the log, where `pleinair ui` draws it live.
        let live = try String(contentsOf: StageLog.seriesURL(forLog: runner.url("train.log")), encoding: .utf8)
            .split(separator: "\n").filter { $0.hasPrefix("loss.G_A\t") }
        XCTAssertEqual(live.count, iterations)
        XCTAssertEqual(live.last.map { Double($0.split(separator: "\t")[2]) ?? .nan }, result.series("loss.G_A").last)
    }

    func testResumedRunEndsWithTheWeightsOfAnUninterruptedOne() throws {
        let runner = try StageHarness("train-resume")
        let data = try runner.demoScenes(train: 6, test: 1, size: 24)
        let (bank, index) = try runner.patchBank(photos: data.appendingPathComponent("photos/train"))
        let params = Self.params(["epoch_size": .int(4), "checkpoint_every": .int(3), "lambda_patch": .double(0.5),
                                  "pool_size": .int(2), "sample_every": .int(100)])
        let inputs = ["A": data.appendingPathComponent("impressionist/train"), "B": data.appendingPathComponent("photos/train"),
                      "bank": bank, "index": index]
        let whole = try runner.run(TrainStage(), params: params, inputs: inputs,
                                   outputs: ["model": runner.url("whole"), "samples": runner.url("whole-samples")], threads: 1)

        // Interrupted after iteration 5: the checkpoint at 3 survives; the rerun redoes 4 and 5.
        let work = runner.url("interrupted-work")
        XCTAssertThrowsError(try runner.run(TrainStage(), params: params, inputs: inputs,
                                            outputs: ["model": runner.url("cut"), "samples": runner.url("cut-samples")],
                                            workDirectory: work, threads: 1) { _, message, cancellation in
            if message.hasPrefix("iteration 5/") { cancellation.cancel() }
        }) { error in XCTAssertEqual("\(error)", "cancelled") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: runner.url("cut/G_A.safetensors").path))
        let messages = LockedList()
        let resumed = try runner.run(TrainStage(), params: params, inputs: inputs,
                                     outputs: ["model": runner.url("resumed"), "samples": runner.url("resumed-samples")],
                                     workDirectory: work, threads: 1) { _, message, _ in messages.append(message) }
        XCTAssertTrue(messages.items.first?.hasPrefix("iteration 4/8") ?? false, "\(messages.items)")

        for name in ["G_A", "G_B", "D_A", "D_B"] {
            let a = try Data(contentsOf: runner.url("whole/\(name).safetensors"))
            let b = try Data(contentsOf: runner.url("resumed/\(name).safetensors"))
            XCTAssertEqual(a, b, "\(name) differs after resuming")
        }
        XCTAssertEqual(whole.metrics, resumed.metrics)
    }

    func testBatchesOfSeveralImagesTrainWithThePatchLossAndPools() throws {
        let runner = try StageHarness("train-batch")
        let data = try runner.demoScenes(train: 6, test: 1, size: 24)
        let (bank, index) = try runner.patchBank(photos: data.appendingPathComponent("photos/train"))
        let result = try runner.run(
            TrainStage(), params: Self.params(["batch_size": .int(3), "lambda_patch": .double(1), "pool_size": .int(4)]),
            inputs: ["A": data.appendingPathComponent("impressionist/train"), "B": data.appendingPathComponent("photos/train"),
                     "bank": bank, "index": index],
            outputs: ["model": runner.url("model"), "samples": runner.url("samples")])
        // An epoch is max(|A|, |B|) / batch = 2 iterations; one constant and one decaying epoch.
        XCTAssertEqual(result.value("iterations"), 4)
        for name in ["loss.G_A", "loss.patch", "loss.D_A", "loss.D_B"] {
            let series = result.series(name)
            XCTAssertEqual(series.count, 4, name)
            XCTAssertTrue(series.allSatisfy { $0.isFinite && $0 > 0 }, "\(name): \(series)")
        }
    }

    func testPatchWeightWithoutABankIsRejectedBeforeTraining() throws {
        let runner = try StageHarness("train-nobank")
        let data = try runner.demoScenes(train: 2, test: 1, size: 32)
        XCTAssertThrowsError(try runner.run(
            TrainStage(), params: Self.params(["lambda_patch": .double(0.1)]),
            inputs: ["A": data.appendingPathComponent("impressionist/train"), "B": data.appendingPathComponent("photos/train")],
            outputs: ["model": runner.url("model"), "samples": runner.url("samples")])) { error in
            XCTAssertTrue("\(error)".contains("lambda_patch") && "\(error)".contains("bank"), "\(error)")
        }
    }

    func testCropTooSmallForTheDiscriminatorIsRejectedWithTheSizeItNeeds() throws {
        let runner = try StageHarness("train-small")
        let data = try runner.demoScenes(train: 2, test: 1, size: 32)
        XCTAssertThrowsError(try runner.run(
            TrainStage(), params: Self.params(["crop_size": .int(16), "n_layers_d": .int(3), "lambda_patch": .double(0)]),
            inputs: ["A": data.appendingPathComponent("impressionist/train"), "B": data.appendingPathComponent("photos/train")],
            outputs: ["model": runner.url("model"), "samples": runner.url("samples")])) { error in
            XCTAssertTrue("\(error)".contains("at least 24"), "\(error)")
        }
    }

    func testCropSizeNotDivisibleByFourIsRejected() throws {
        let runner = try StageHarness("train-crop")
        let data = try runner.demoScenes(train: 2, test: 1, size: 32)
        XCTAssertThrowsError(try runner.run(
            TrainStage(), params: Self.params(["crop_size": .int(30), "lambda_patch": .double(0)]),
            inputs: ["A": data.appendingPathComponent("impressionist/train"), "B": data.appendingPathComponent("photos/train")],
            outputs: ["model": runner.url("model"), "samples": runner.url("samples")])) { error in
            XCTAssertTrue("\(error)".contains("crop_size"), "\(error)")
        }
    }
}

/// Progress messages collected from the stage's sink.
final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
    var items: [String] { lock.lock(); defer { lock.unlock() }; return list }
}

/// `train` starts from released or exported weights when given `init`.
final class TrainInitTests: XCTestCase {
    private func junyanzFolder(_ runner: StageHarness, ngf: Int) throws -> (CycleGAN, URL) {
        var o = CycleGANOptions()
        o.ngf = ngf; o.ndf = 4; o.blocks = 1; o.discriminatorLayers = 2; o.seed = 77
        let model = CycleGAN(options: o)
        try model.save(to: runner.url("source-\(ngf)"))
        try JunyanzExport.export(model: runner.url("source-\(ngf)"), to: runner.url("checkpoints-\(ngf)"))
        return (model, runner.url("checkpoints-\(ngf)"))
    }

    func testTrainingStartsFromTheGivenCheckpoints() throws {
        let runner = try StageHarness("train-init")
        let data = try runner.demoScenes(train: 4, test: 1, size: 24)
        let (source, checkpoints) = try junyanzFolder(runner, ngf: 4)
        // One step at a vanishing learning rate: the weights written are the starting ones.
        _ = try runner.run(TrainStage(), params: TrainStageTests.params(["lambda_patch": .double(0), "epochs": .int(1), "decay_epochs": .int(0),
                                                                         "epoch_size": .int(1), "lr": .double(1e-30)]),
                           inputs: ["A": data.appendingPathComponent("impressionist/train"), "B": data.appendingPathComponent("photos/train"),
                                    "init": checkpoints],
                           outputs: ["model": runner.url("model"), "samples": runner.url("samples")])
        for (name, module) in source.networks {
            let trained = try SafeTensors.read(contentsOf: runner.url("model/\(name).safetensors"))
            for (key, t) in module.stateDict() {
                let got = try XCTUnwrap(trained[key], "\(name) \(key)").scalars
                XCTAssertLessThan(zip(got, t.scalars).map { abs($0 - $1) }.max() ?? 0, 1e-20, "\(name) \(key)")
            }
        }
    }

    func testInitialWeightsOfAnotherSizeFailNamingIt() throws {
        let runner = try StageHarness("train-init-mismatch")
        let data = try runner.demoScenes(train: 2, test: 1, size: 24)
        let (_, checkpoints) = try junyanzFolder(runner, ngf: 8)
        XCTAssertThrowsError(try runner.run(TrainStage(), params: TrainStageTests.params(["lambda_patch": .double(0)]),
                                            inputs: ["A": data.appendingPathComponent("impressionist/train"),
                                                     "B": data.appendingPathComponent("photos/train"), "init": checkpoints],
                                            outputs: ["model": runner.url("model"), "samples": runner.url("samples")])) { error in
            XCTAssertTrue("\(error)".contains("latest_net_G_A.pth") && "\(error)".contains("ngf 4 was asked"), "\(error)")
        }
    }
}
