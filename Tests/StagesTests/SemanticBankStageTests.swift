import Basics
import Foundation
import Imaging
import Pipeline
@testable import Stages
import Tensor
import XCTest
import Retrieval

/// `memory_bank` with masks (a bank per class), `ann_index` per class, retrieval inside each class's
/// bank, `train` with the paintings' masks, and the clear failures of missing or wrong-sized masks.
final class SemanticBankStageTests: XCTestCase {
    private var harness: StageHarness!
    private var data: URL!

    override func setUpWithError() throws {
        harness = try StageHarness("semantic-bank")
        data = try harness.demoScenes(train: 12, test: 2, size: 32)
    }
    override func tearDown() { harness = nil }

    private var photos: URL { data.appendingPathComponent("photos/train") }
    private var photoMasks: URL { data.appendingPathComponent("photos/train_masks") }
    private let twoScales: [String: ParamValue] = [
        "scales": .list([.map(["patch": .int(8), "stride": .int(4)]), .map(["patch": .int(4), "stride": .int(4)])]),
        "holdout": .int(40),
    ]

    private func semanticBank() throws -> (bank: URL, index: URL, result: StageResult) {
        let bank = harness.url("bank"), index = harness.url("index")
        let result = try harness.run(MemoryBankStage(), params: twoScales, inputs: ["photos": photos, "masks": photoMasks],
                                     outputs: ["bank": bank])
        _ = try harness.run(ANNIndexStage(), params: ["index": .string("Flat")], inputs: ["bank": bank], outputs: ["index": index])
        return (bank, index, result)
    }

    func testEveryClassBankHoldsOnlyPatchesOfItsClassAndTheyAddUpToEveryPosition() throws {
        let (bank, _, result) = try semanticBank()
        let set = try MemoryBankSet(folder: bank)
        XCTAssertTrue(set.isSemantic)
        XCTAssertEqual(set.members.map(\.name), ["other", "sky", "cloud", "mountain", "water", "vegetation", "ground"])
        let masks = try MaskFolder(root: photoMasks)
        var perScale = [String: Int]()
        for (member, classBank) in set.banks {
            for scale in classBank.scales {
                perScale[scale.scale.name, default: 0] += scale.entry.patches + scale.entry.holdout
                XCTAssertEqual(result.value("patches.\(member.name).\(scale.scale.name)"), Double(scale.entry.patches))
                for row in stride(from: 0, to: scale.patches.rows, by: 7) {
                    let (image, x, y) = scale.location(of: row)
                    let path = classBank.manifest.images[image]
                    let mask = try masks.mask(for: path)
                    let classes = PatchClassRule.classes(of: mask, scale: scale.scale)
                    let nx = scale.scale.positions(mask.width)
                    XCTAssertEqual(Int(classes[(y / scale.scale.stride) * nx + x / scale.scale.stride]), member.id,
                                   "\(member.name) \(scale.scale.name) row \(row) from \(path) \(x),\(y)")
                }
            }
        }
        // 12 photos of 32²: 7×7 positions at 8/4 and 8×8 at 4/4, each in exactly one class's bank or holdout.
        XCTAssertEqual(perScale, ["p8s4": 12 * 49, "p4s4": 12 * 64])
        XCTAssertEqual(result.value("patches.p8s4"), Double(set.banks.reduce(0) { $0 + ($1.bank.scales.first { $0.scale.name == "p8s4" }?.entry.patches ?? 0) }))
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(result.value("classes")), 4)
        // Each patch has the fate it has in the bank built without masks: the class banks partition it.
        _ = try harness.run(MemoryBankStage(), params: twoScales, inputs: ["photos": photos], outputs: ["bank": harness.url("single")])
        let single = try MemoryBank(folder: harness.url("single"))
        for scale in single.scales {
            let parts = set.banks.compactMap { $0.bank.scales.first { $0.scale == scale.scale }?.entry }
            XCTAssertEqual(parts.reduce(0) { $0 + $1.patches }, scale.entry.patches, scale.scale.name)
            XCTAssertEqual(parts.reduce(0) { $0 + $1.holdout }, scale.entry.holdout, scale.scale.name)
        }
    }

    func testIndexesArePerClassWithPerClassRecall() throws {
        let (bank, index, _) = try semanticBank()
        let set = try MemoryBankSet(folder: bank)
        let recalled = try harness.run(ANNIndexStage(), params: ["index": .string("Flat")], inputs: ["bank": bank],
                                       outputs: ["index": harness.url("index2")])
        let sky = try XCTUnwrap(set.members.first { $0.name == "sky" }?.bank)
        XCTAssertEqual(recalled.value("recall_at_1.sky.p8s4"), 1, "exact search recalls every held-out sky patch")
        XCTAssertNotNil(recalled.value("recall_at_1.sky.p4s4"))
        XCTAssertEqual(try BankClasses.read(from: index), set.classes)
        XCTAssertEqual(try PatchIndexManifest.read(from: index.appendingPathComponent(BankClasses.folder(1))).scales,
                       sky.scales.map(\.scale.name))
    }

    func testEachGeneratedPatchIsMatchedOnlyInItsRegionsClassBank() throws {
        let (bank, index, _) = try semanticBank()
        let loss = try PatchLoss(bankFolder: bank, indexFolder: index, k: 3)
        XCTAssertTrue(loss.isSemantic)
        // A photo of the test split with its own mask: every patch's neighbours come from the bank of its class.
        let image = try ImageCodec.read(data.appendingPathComponent("photos/test/00000.png"))
        let mask = try MaskFolder(root: data.appendingPathComponent("photos/test_masks")).mask(for: "00000.png")
        let retrieval = try loss.retrieve(Tensor(image: image.convertedTo8Bit().toRGB()), scale: 0, masks: [mask])[0]
        let regions = PatchClassRule.classes(of: mask, scale: loss.scales[0].bank.scale)
        let banked = Set(loss.classBanks.filter { $0.scales[0] != nil }.map(\.id))
        for (q, region) in regions.enumerated() {
            let served = retrieval.classes[q]
            XCTAssertEqual(served, banked.contains(Int(region)) ? Int(region) : 0, "patch \(q): region \(region)")
            let classBank = try XCTUnwrap(loss.classBanks.first { $0.id == served }?.scales[0])
            for label in retrieval.neighbors.labels(of: q) where label >= 0 {
                XCTAssertLessThan(label, classBank.bank.patches.rows)
            }
        }
        XCTAssertGreaterThan(Set(retrieval.classes).count, 1, "the test photo has several regions")
        // Its loss is finite and needs the masks.
        XCTAssertTrue(try loss(Tensor(image: image.convertedTo8Bit().toRGB()), masks: [mask]).item.isFinite)
        XCTAssertThrowsError(try loss(Tensor(image: image.convertedTo8Bit().toRGB())))
    }

    func testAClassWithoutABankFallsBackToClassZero() throws {
        let (bank, index, _) = try semanticBank()
        let loss = try PatchLoss(bankFolder: bank, indexFolder: index, k: 3)
        // A mask naming only a class no photo has (id 7 is not in the demo's classes: no bank) → class 0's bank.
        let mask = LabelMap(width: 32, height: 32, labels: [UInt8](repeating: 7, count: 32 * 32))
        let image = try ImageCodec.read(data.appendingPathComponent("photos/test/00000.png")).convertedTo8Bit().toRGB()
        let retrieval = try loss.retrieve(Tensor(image: image), scale: 1, masks: [mask])[0]
        XCTAssertEqual(Set(retrieval.classes), [0])
    }

    func testAClassNoPatchHasIsListedWithoutABankAndFallsBackToClassZero() throws {
        try Data((DemoScenes.classes.text + "9 lava\n").utf8).write(to: photoMasks.appendingPathComponent("classes.txt"))
        let (bank, index, result) = try semanticBank()
        let set = try MemoryBankSet(folder: bank)
        let lava = try XCTUnwrap(set.members.first { $0.name == "lava" })
        XCTAssertNil(lava.bank)
        XCTAssertNil(result.value("patches.lava.p8s4"))
        XCTAssertTrue(try String(contentsOf: harness.url("memory_bank.log"), encoding: .utf8).contains("class lava: no patches"))
        let loss = try PatchLoss(bankFolder: bank, indexFolder: index, k: 2)
        let mask = LabelMap(width: 32, height: 32, labels: [UInt8](repeating: 9, count: 32 * 32))
        let image = try ImageCodec.read(data.appendingPathComponent("photos/test/00000.png")).convertedTo8Bit().toRGB()
        XCTAssertEqual(Set(try loss.retrieve(Tensor(image: image), scale: 0, masks: [mask])[0].classes), [0])
    }

    func testRetrievalSheetsOfASemanticBankNeedTheImagesMasksAndFrameEachPatchInItsClassColour() throws {
        let (bank, index, _) = try semanticBank()
        let inputs = ["images": data.appendingPathComponent("impressionist/test"), "bank": bank, "index": index, "photos": photos]
        let params: [String: ParamValue] = ["rows": .int(4), "k": .int(3), "cell": .int(32), "images": .int(2)]
        XCTAssertThrowsError(try harness.run(RetrievalSheetStage(), params: params, inputs: inputs,
                                             outputs: ["sheet": harness.url("s0")])) { XCTAssertTrue("\($0)".contains("input 'masks'"), "\($0)") }
        let sheet = harness.url("sheet")
        _ = try harness.run(RetrievalSheetStage(), params: params,
                            inputs: inputs.merging(["masks": data.appendingPathComponent("impressionist/test_masks")]) { $1 },
                            outputs: ["sheet": sheet])
        for name in ["p8s4", "p4s4"] {
            let image = try ImageCodec.read(sheet.appendingPathComponent("\(name).png"))
            XCTAssertEqual(image.width, 4 + 6 * 36, name)
            // Every class colour of a frame is one of the palette's, and more than one class shows up.
            var colours = Set<[UInt16]>()
            for (id, _) in DemoScenes.classes.names { colours.insert(RetrievalSheetStage.colour(id)) }
            var seen = Set<[UInt16]>()
            for y in 0..<image.height { for x in 0..<image.width {
                let px = [image[x, y, 0], image[x, y, 1], image[x, y, 2]]
                if colours.contains(px), px != [255, 255, 255] { seen.insert(px) }
            } }
            XCTAssertGreaterThan(seen.count, 1, name)
        }
    }

    func testAKilledSemanticBuildResumesAtTheShardItReachedAndBuildsTheSameBanks() throws {
        let params = twoScales.merging(["images_per_shard": .int(3)]) { $1 }
        let inputs = ["photos": photos, "masks": photoMasks]
        let work = harness.url("work-killed")
        // Cancelled while cutting the 8th of 12 images: shards 0 and 1 of every class are committed.
        XCTAssertThrowsError(try harness.run(MemoryBankStage(), params: params, inputs: inputs, outputs: ["bank": harness.url("killed")],
                                             workDirectory: work, onProgress: { fraction, _, cancellation in
                                                 if fraction >= 7.5 / 12 { cancellation.cancel() }
                                             }))
        let resumed = try harness.run(MemoryBankStage(), params: params, inputs: inputs, outputs: ["bank": harness.url("resumed")],
                                      workDirectory: work)
        XCTAssertEqual(resumed.value("resumed_shards"), 2)
        let fresh = try harness.run(MemoryBankStage(), params: params, inputs: inputs, outputs: ["bank": harness.url("fresh")],
                                    workDirectory: harness.url("work-fresh"))
        XCTAssertEqual(fresh.value("resumed_shards"), 0)
        let a = try MemoryBankSet(folder: harness.url("resumed")), b = try MemoryBankSet(folder: harness.url("fresh"))
        XCTAssertEqual(a.classes, b.classes)
        for (x, y) in zip(a.banks, b.banks) {
            XCTAssertEqual(x.bank.manifest, y.bank.manifest, x.member.name)
            for (sx, sy) in zip(x.bank.scales, y.bank.scales) {
                XCTAssertEqual(try sx.patches.floats(0..<sx.patches.rows), try sy.patches.floats(0..<sy.patches.rows), x.member.name)
            }
        }
    }

    func testAMissingMaskFailsNamingTheFileTheStageExpected() throws {
        try FileManager.default.removeItem(at: photoMasks.appendingPathComponent("00003.png"))
        XCTAssertThrowsError(try harness.run(MemoryBankStage(), params: twoScales, inputs: ["photos": photos, "masks": photoMasks],
                                             outputs: ["bank": harness.url("bank")])) { error in
            XCTAssertTrue("\(error)".contains("00003.png: no mask; expected \(photoMasks.path)/00003.png"), "\(error)")
        }
    }

    func testAMaskOfAnotherSizeFailsNamingIt() throws {
        let wrong = LabelMap(width: 16, height: 32, labels: [UInt8](repeating: 1, count: 16 * 32))
        try ImageCodec.write(wrong.image, to: photoMasks.appendingPathComponent("00005.png"))
        XCTAssertThrowsError(try harness.run(MemoryBankStage(), params: twoScales, inputs: ["photos": photos, "masks": photoMasks],
                                             outputs: ["bank": harness.url("bank")])) { error in
            XCTAssertTrue("\(error)".contains("00005.png: mask is 16x32 but its image is 32x32"), "\(error)")
        }
    }

    func testAMaskWithAnUnnamedClassOrNoClassesFileFails() throws {
        let odd = LabelMap(width: 32, height: 32, labels: [UInt8](repeating: 9, count: 32 * 32))
        try ImageCodec.write(odd.image, to: photoMasks.appendingPathComponent("00002.png"))
        XCTAssertThrowsError(try harness.run(MemoryBankStage(), params: twoScales, inputs: ["photos": photos, "masks": photoMasks],
                                             outputs: ["bank": harness.url("bank")])) { error in
            XCTAssertTrue("\(error)".contains("00002.png: class id 9 is not named in"), "\(error)")
        }
        try FileManager.default.removeItem(at: photoMasks.appendingPathComponent("classes.txt"))
        XCTAssertThrowsError(try harness.run(MemoryBankStage(), params: twoScales, inputs: ["photos": photos, "masks": photoMasks],
                                             outputs: ["bank": harness.url("bank")])) { error in
            XCTAssertTrue("\(error)".contains("classes.txt: missing"), "\(error)")
        }
    }

    func testTrainingWithASemanticBankUsesThePaintingsMasksAndNeedsThem() throws {
        let (bank, index, _) = try semanticBank()
        let inputs = ["A": data.appendingPathComponent("impressionist/train"), "B": photos, "bank": bank, "index": index]
        let params = TrainStageTests.params(["epoch_size": .int(2), "epochs": .int(1), "decay_epochs": .int(0), "lambda_patch": .double(1),
                                             "load_size": .int(32), "crop_size": .int(24), "sample_every": .int(100)])
        XCTAssertThrowsError(try harness.run(TrainStage(), params: params, inputs: inputs,
                                             outputs: ["model": harness.url("m0"), "samples": harness.url("s0")])) { error in
            XCTAssertTrue("\(error)".contains("input 'masks_A'"), "\(error)")
        }
        let masks = data.appendingPathComponent("impressionist/train_masks")
        let result = try harness.run(TrainStage(), params: params, inputs: inputs.merging(["masks_A": masks]) { $1 },
                                     outputs: ["model": harness.url("model"), "samples": harness.url("samples")])
        XCTAssertEqual(result.series("loss.patch").count, 2)
        XCTAssertTrue(result.series("loss.patch").allSatisfy { $0.isFinite && $0 > 0 })
        // A painting's missing mask fails before the first step, naming the file.
        try FileManager.default.removeItem(at: masks.appendingPathComponent("00004.png"))
        XCTAssertThrowsError(try harness.run(TrainStage(), params: params, inputs: inputs.merging(["masks_A": masks]) { $1 },
                                             outputs: ["model": harness.url("m2"), "samples": harness.url("s2")])) { error in
            XCTAssertTrue("\(error)".contains("00004.png: no mask"), "\(error)")
        }
    }
}
