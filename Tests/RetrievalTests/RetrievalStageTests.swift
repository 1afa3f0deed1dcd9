import Foundation
import Imaging
@testable import Pipeline
import Stages
import Vision
import XCTest

/// `memory_bank` then `ann_index` with their default parameters on the demo scenes' real photographs.
final class RetrievalStageTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("retrieval-stage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    /// Runs `stage` with its defaults overridden by `params`.
    static func run(_ stage: Stage, params: [String: ParamValue], inputs: [String: URL], outputs: [String: URL],
                    in root: URL) throws -> StageResult {
        var all: [String: ParamValue] = [:]
        for spec in stage.descriptor.params ?? [] { all[spec.name] = spec.defaultValue }
        for (k, v) in params { all[k] = v }
        let context = StageContext(stageID: stage.descriptor.kind, fingerprint: "test", params: all, inputs: inputs,
                                   outputs: outputs, workDirectory: root, workspace: root, threads: 2,
                                   log: StageLog(url: root.appendingPathComponent("\(stage.descriptor.kind).log")),
                                   cancellation: Cancellation())
        return try stage.run(context)
    }

    private func metric(_ result: StageResult, _ name: String) -> Double? { result.metrics.first { $0.name == name }?.value }

    func testDefaultIVFIndexRecallsAtLeast95PercentOfTheDemoScenesRealPatches() throws {
        let data = root.appendingPathComponent("demo")
        try DemoScenes.write(DemoSceneOptions(trainCount: 120, testCount: 1, size: 64, seed: 1, styles: []), to: data)
        let bank = root.appendingPathComponent("bank"), index = root.appendingPathComponent("index")
        let banked = try Self.run(MemoryBankStage(), params: [:], inputs: ["photos": data.appendingPathComponent("photos/train")],
                                  outputs: ["bank": bank], in: root)
        XCTAssertEqual(metric(banked, "images"), 120)
        XCTAssertEqual(metric(banked, "candidates.p16s6"), 120 * 9 * 9)
        let indexed = try Self.run(ANNIndexStage(), params: [:], inputs: ["bank": bank], outputs: ["index": index], in: root)
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

    func testMalformedScalesAreReportedWithTheirPosition() throws {
        let photos = root.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        let bad: ParamValue = .list([.map(["patch": .int(8), "stride": .int(4)]), .map(["patch": .int(8), "strid": .int(4)])])
        XCTAssertThrowsError(try Self.run(MemoryBankStage(), params: ["scales": bad], inputs: ["photos": photos],
                                          outputs: ["bank": root.appendingPathComponent("bank")], in: root)) { error in
            XCTAssertTrue("\(error)".contains("scales[1]"), "\(error)")
        }
    }

    func testAnUnknownIndexTypeFailsTheStageWithFAISSsReason() throws {
        let bank = root.appendingPathComponent("bank")
        try FileManager.default.createDirectory(at: bank, withIntermediateDirectories: true)
        try MemoryBankTests.writeBank(MemoryBankTests.images(2, size: 16, seed: 1), size: 16, scales: [PatchScale(patch: 4, stride: 4)],
                                      capacity: 100, holdout: 4, to: bank)
        XCTAssertThrowsError(try Self.run(ANNIndexStage(), params: ["index": .string("Bogus7")], inputs: ["bank": bank],
                                          outputs: ["index": root.appendingPathComponent("index")], in: root)) { error in
            XCTAssertTrue("\(error)".contains("p4s4") && "\(error)".contains("Bogus7"), "\(error)")
        }
    }
}

/// `retrieval_sheet` on a tiny bank: one PNG per scale, a row per sampled patch.
final class RetrievalSheetStageTests: XCTestCase {
    func testSheetHasARowPerSampledPatchAndAColumnPerNeighbourPlusContext() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("retrieval-sheet-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("demo")
        try DemoScenes.write(DemoSceneOptions(trainCount: 6, testCount: 2, size: 32, seed: 3, styles: [.impressionist]), to: data)
        let bank = root.appendingPathComponent("bank"), index = root.appendingPathComponent("index")
        let sheet = root.appendingPathComponent("sheet"), photos = data.appendingPathComponent("photos/train")
        let scales: ParamValue = .list([.map(["patch": .int(8), "stride": .int(4)]), .map(["patch": .int(4), "stride": .int(4), "rescale": .double(0.5)])])
        _ = try RetrievalStageTests.run(MemoryBankStage(), params: ["scales": scales, "holdout": .int(5)], inputs: ["photos": photos],
                                        outputs: ["bank": bank], in: root)
        _ = try RetrievalStageTests.run(ANNIndexStage(), params: ["index": .string("Flat")], inputs: ["bank": bank],
                                        outputs: ["index": index], in: root)
        _ = try RetrievalStageTests.run(RetrievalSheetStage(), params: ["rows": .int(3), "k": .int(4), "cell": .int(32)],
                                        inputs: ["images": data.appendingPathComponent("impressionist/test"), "bank": bank,
                                                 "index": index, "photos": photos],
                                        outputs: ["sheet": sheet], in: root)
        for name in ["p8s4", "p4s4r0.5"] {
            let image = try ImageCodec.read(sheet.appendingPathComponent("\(name).png"))
            // 4 + 7 columns × (32 + 4); title line, then 3 rows of (32 + caption line + 4).
            XCTAssertEqual(image.width, 4 + 7 * 36, name)
            XCTAssertGreaterThan(image.height, 3 * 36, name)
        }
    }
}
