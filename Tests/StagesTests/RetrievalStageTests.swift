import Foundation
import Imaging
@testable import Pipeline
import Stages
import XCTest
import Retrieval

/// `memory_bank` then `ann_index` with their default parameters on the demo scenes' real photographs.
final class RetrievalStageTests: XCTestCase {
    private var harness: StageHarness!

    override func setUpWithError() throws { harness = try StageHarness("retrieval-stage") }
    override func tearDown() { harness = nil }

    private func metric(_ result: StageResult, _ name: String) -> Double? { result.metrics.first { $0.name == name }?.value }

    func testDefaultIVFIndexRecallsAtLeast95PercentOfTheDemoScenesRealPatches() throws {
        let data = harness.url("demo")
        try DemoScenes.write(DemoSceneOptions(trainCount: 120, testCount: 1, size: 64, seed: 1, styles: []), to: data)
        let bank = harness.url("bank"), index = harness.url("index")
        let banked = try harness.run(MemoryBankStage(), params: [:], inputs: ["photos": data.appendingPathComponent("photos/train")],
                                     outputs: ["bank": bank])
        XCTAssertEqual(metric(banked, "images"), 120)
        XCTAssertEqual(metric(banked, "candidates.p16s6"), 120 * 9 * 9)
        let indexed = try harness.run(ANNIndexStage(), params: [:], inputs: ["bank": bank], outputs: ["index": index])
        for scale in ["p16s6", "p8s5", "p4s4"] {
            let recall = try XCTUnwrap(metric(indexed, "recall_at_1.\(scale)"))
            XCTAssertGreaterThanOrEqual(recall, 0.95, scale)
        }
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(metric(indexed, "recall_at_1")), 0.95)
        // The written folders load into the training loss.
        let loss = try PatchLoss(bankFolder: bank, indexFolder: index)
        XCTAssertEqual(loss.scales.map(\.bank.scale.name), ["p16s6", "p8s5", "p4s4"])
        XCTAssertGreaterThan(loss.scales[0].index.invertedLists, 0)
    }

    func testAKilledBuildResumesAtTheShardItReachedAndBuildsTheSameBank() throws {
        let photos = try harness.demoScenes(train: 9, test: 1, size: 32).appendingPathComponent("photos/train")
        let params: [String: ParamValue] = ["scales": .list([.map(["patch": .int(8), "stride": .int(4)])]), "holdout": .int(20),
                                            "images_per_shard": .int(2)]
        let work = harness.url("work-killed")
        // Cancelled while cutting the 6th image: shards 0 and 1 (images 0–3) are committed, shard 2 is not.
        XCTAssertThrowsError(try harness.run(MemoryBankStage(), params: params, inputs: ["photos": photos],
                                             outputs: ["bank": harness.url("killed")], workDirectory: work,
                                             onProgress: { fraction, _, cancellation in
                                                 if fraction >= 5.0 / 9.0 { cancellation.cancel() }
                                             }))
        let shards = harness.url("work-killed/shards")
        let records = try FileManager.default.contentsOfDirectory(atPath: shards.path).filter { $0.hasPrefix("shard.") }.sorted()
        XCTAssertEqual(records, ["shard.00000.json", "shard.00001.json"])
        let resumed = try harness.run(MemoryBankStage(), params: params, inputs: ["photos": photos],
                                      outputs: ["bank": harness.url("resumed")], workDirectory: work)
        XCTAssertEqual(resumed.value("resumed_shards"), 2)
        XCTAssertEqual(resumed.value("shards"), 5)
        XCTAssertTrue(try String(contentsOf: harness.url("memory_bank.log"), encoding: .utf8).contains("resuming: 2 of 5 shards"))
        let fresh = try harness.run(MemoryBankStage(), params: params, inputs: ["photos": photos],
                                    outputs: ["bank": harness.url("fresh")], workDirectory: harness.url("work-fresh"))
        XCTAssertEqual(fresh.value("resumed_shards"), 0)
        let a = try MemoryBank(folder: harness.url("resumed")), b = try MemoryBank(folder: harness.url("fresh"))
        XCTAssertEqual(a.manifest, b.manifest)
        XCTAssertEqual(try a.scales[0].patches.allFloats(), try b.scales[0].patches.allFloats())
        XCTAssertEqual(try a.holdout(0).allFloats(), try b.holdout(0).allFloats())
    }

    func testACapIsAMetricAndTravelsWithTheBank() throws {
        let photos = try harness.demoScenes(train: 4, test: 1, size: 32).appendingPathComponent("photos/train")
        let scales: ParamValue = .list([.map(["patch": .int(8), "stride": .int(2)])])
        let full = try harness.run(MemoryBankStage(), params: ["scales": scales, "holdout": .int(10)], inputs: ["photos": photos],
                                   outputs: ["bank": harness.url("full")])
        XCTAssertEqual(full.value("kept_fraction"), 1)
        let capped = try harness.run(MemoryBankStage(), params: ["scales": scales, "holdout": .int(10), "max_patches": .int(100)],
                                     inputs: ["photos": photos], outputs: ["bank": harness.url("capped")])
        let fraction = try XCTUnwrap(capped.value("kept_fraction"))
        XCTAssertLessThan(fraction, 0.5)
        XCTAssertEqual(fraction, try XCTUnwrap(capped.value("kept_fraction.p8s2")))
        let bank = try MemoryBank(folder: harness.url("capped"))
        XCTAssertEqual(bank.manifest.cap, 100)
        XCTAssertEqual(bank.manifest.keptFraction, fraction)
        XCTAssertTrue(try String(contentsOf: harness.url("memory_bank.log"), encoding: .utf8).contains("capped"))
    }

    func testMalformedScalesAreReportedWithTheirPosition() throws {
        let photos = harness.url("photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        let bad: ParamValue = .list([.map(["patch": .int(8), "stride": .int(4)]), .map(["patch": .int(8), "strid": .int(4)])])
        XCTAssertThrowsError(try harness.run(MemoryBankStage(), params: ["scales": bad], inputs: ["photos": photos],
                                             outputs: ["bank": harness.url("bank")])) { error in
            XCTAssertTrue("\(error)".contains("scales[1]"), "\(error)")
        }
    }

    func testAnUnknownIndexTypeFailsTheStageWithFAISSsReason() throws {
        let photos = try harness.demoScenes(train: 2, test: 1, size: 16).appendingPathComponent("photos/train")
        let bank = harness.url("bank")
        _ = try harness.run(MemoryBankStage(), params: ["scales": .list([.map(["patch": .int(4), "stride": .int(4)])]), "holdout": .int(4)],
                            inputs: ["photos": photos], outputs: ["bank": bank])
        XCTAssertThrowsError(try harness.run(ANNIndexStage(), params: ["index": .string("Bogus7")], inputs: ["bank": bank],
                                             outputs: ["index": harness.url("index")])) { error in
            XCTAssertTrue("\(error)".contains("p4s4") && "\(error)".contains("Bogus7"), "\(error)")
        }
    }
}

/// `retrieval_sheet` on a tiny bank: one PNG per scale, a row per sampled patch.
final class RetrievalSheetStageTests: XCTestCase {
    func testSheetHasARowPerSampledPatchAndAColumnPerNeighbourPlusContext() throws {
        let harness = try StageHarness("retrieval-sheet")
        let data = harness.url("demo")
        try DemoScenes.write(DemoSceneOptions(trainCount: 6, testCount: 2, size: 32, seed: 3, styles: [.impressionist]), to: data)
        let bank = harness.url("bank"), index = harness.url("index")
        let sheet = harness.url("sheet"), photos = data.appendingPathComponent("photos/train")
        let scales: ParamValue = .list([.map(["patch": .int(8), "stride": .int(4)]), .map(["patch": .int(4), "stride": .int(4), "rescale": .double(0.5)])])
        _ = try harness.run(MemoryBankStage(), params: ["scales": scales, "holdout": .int(5)], inputs: ["photos": photos],
                            outputs: ["bank": bank])
        _ = try harness.run(ANNIndexStage(), params: ["index": .string("Flat")], inputs: ["bank": bank], outputs: ["index": index])
        _ = try harness.run(RetrievalSheetStage(), params: ["rows": .int(3), "k": .int(4), "cell": .int(32)],
                            inputs: ["images": data.appendingPathComponent("impressionist/test"), "bank": bank,
                                     "index": index, "photos": photos],
                            outputs: ["sheet": sheet])
        for name in ["p8s4", "p4s4r0.5"] {
            let image = try ImageCodec.read(sheet.appendingPathComponent("\(name).png"))
            // 4 + 7 columns × (32 + 4); title line, then 3 rows of (32 + caption line + 4).
            XCTAssertEqual(image.width, 4 + 7 * 36, name)
            XCTAssertGreaterThan(image.height, 3 * 36, name)
        }
    }
}
