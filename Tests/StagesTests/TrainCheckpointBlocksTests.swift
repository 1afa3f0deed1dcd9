import Foundation
import Pipeline
import Stages
import XCTest

/// `train`'s `checkpoint_blocks`: a memory knob that changes neither the numbers nor, when off,
/// any existing fingerprint.
final class TrainCheckpointBlocksTests: XCTestCase {
    private func params(of yaml: String) throws -> [String: ParamValue] {
        let spec = try SpecLoader.parse("experiment: e\nstages:\n  t: {kind: train, inputs: {A: a, B: b}, params: {lambda_patch: 0\(yaml)}}\n",
                                        file: "t.yaml")
        return try XCTUnwrap(SpecExpander.expand(spec, kinds: [TrainStage().descriptor]).instances.first).params
    }

    func testTheOptionEntersTheParamsOnlyWhenOn() throws {
        let absent = try params(of: "")
        XCTAssertNil(absent["checkpoint_blocks"])
        XCTAssertEqual(try params(of: ", checkpoint_blocks: false"), absent)
        XCTAssertEqual(try params(of: ", checkpoint_blocks: true")["checkpoint_blocks"], .bool(true))
    }

    func testCheckpointedBlocksTrainTheSameWeightsToTheLastBit() throws {
        let runner = try StageHarness("train-checkpoint-blocks")
        let data = try runner.demoScenes(train: 2, test: 1, size: 20)
        let inputs = ["A": data.appendingPathComponent("impressionist/train"), "B": data.appendingPathComponent("photos/train")]
        var metrics: [[Metric]] = []
        for (name, on) in [("plain", false), ("checkpointed", true)] {
            let params = TrainStageTests.params(["lambda_patch": .double(0), "n_blocks": .int(2), "epoch_size": .int(2),
                                                 "decay_epochs": .int(0), "checkpoint_blocks": .bool(on)])
            metrics.append(try runner.run(TrainStage(), params: params, inputs: inputs,
                                          outputs: ["model": runner.url(name), "samples": runner.url("\(name)-samples")], threads: 1).metrics)
        }
        for network in ["G_A", "G_B", "D_A", "D_B"] {
            XCTAssertEqual(try Data(contentsOf: runner.url("plain/\(network).safetensors")),
                           try Data(contentsOf: runner.url("checkpointed/\(network).safetensors")), network)
        }
        XCTAssertEqual(metrics[0], metrics[1])
        let log = try String(contentsOf: runner.url("train.log"), encoding: .utf8)
        XCTAssertEqual(log.components(separatedBy: "2 blocks (checkpointed)").count - 1, 1, "the option did not reach the model once:\n\(log)")
    }
}
