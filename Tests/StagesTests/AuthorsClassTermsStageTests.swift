import Basics
import Foundation
import Imaging
import Pipeline
@testable import Stages
import Tensor
import Retrieval
import XCTest

/// `class_terms: authors` through the stages: class banks filled by the per-mask half rule, `train`
/// with missing masks (class 0, counted) and with the authors' mask pickles (at the training size,
/// never cropped or flipped), and `experiments/art2real.yaml` set to the authors' recipe.
final class AuthorsClassTermsStageTests: XCTestCase {
    private var harness: StageHarness!
    private var data: URL!

    override func setUpWithError() throws {
        harness = try StageHarness("authors-terms")
        data = try harness.demoScenes(train: 8, test: 1, size: 32)
        // The demo's masks name every pixel; the authors' banks need a background (pixels in no
        // mask, class 0): the photos' sky becomes it, so the paintings' sky falls back to class 0's bank.
        let masks = try MaskFolder(root: photoMasks)
        for path in try ImageFolder(root: photos).relativePaths {
            var map = try masks.mask(for: path)
            map.labels = map.labels.map { $0 == 1 ? 0 : $0 }
            try ImageCodec.write(map.image, to: masks.url(for: path))
        }
    }

    func testWithoutABackgroundTheAuthorsBanksFailSayingWhy() throws {
        let fresh = try StageHarness("authors-terms-nobackground")
        let scenes = try fresh.demoScenes(train: 4, test: 1, size: 32)
        XCTAssertThrowsError(try fresh.run(MemoryBankStage(), params: scales,
                                             inputs: ["photos": scenes.appendingPathComponent("photos/train"),
                                                      "masks": scenes.appendingPathComponent("photos/train_masks")],
                                             outputs: ["bank": fresh.url("bank")])) { error in
            XCTAssertTrue("\(error)".contains("at least half in no mask (id 0)") && "\(error)".contains("class_terms: shares"), "\(error)")
        }
    }
    override func tearDown() { harness = nil }

    private var photos: URL { data.appendingPathComponent("photos/train") }
    private var photoMasks: URL { data.appendingPathComponent("photos/train_masks") }
    private let scales: [String: ParamValue] = [
        "scales": .list([.map(["patch": .int(8), "stride": .int(4)]), .map(["patch": .int(4), "stride": .int(4)])]),
        "holdout": .int(0), "class_terms": .string("authors"),
    ]

    private func bank() throws -> (URL, URL) {
        let bank = harness.url("bank"), index = harness.url("index")
        _ = try harness.run(MemoryBankStage(), params: scales, inputs: ["photos": photos, "masks": photoMasks],
                            outputs: ["bank": bank])
        _ = try harness.run(ANNIndexStage(), params: ["index": .string("Flat")], inputs: ["bank": bank], outputs: ["index": index])
        return (bank, index)
    }

    func testEveryClassBankHoldsThePatchesItsMaskCoversByHalf() throws {
        let (bank, _) = try bank()
        let set = try MemoryBankSet(folder: bank)
        let masks = try MaskFolder(root: photoMasks)
        var checked = 0
        for (member, classBank) in set.banks {
            for scale in classBank.scales {
                var seen: [Int: Set<Int>] = [:]
                for row in 0..<scale.patches.rows {
                    let (image, x, y) = scale.location(of: row)
                    seen[image, default: []].insert(y * 1000 + x)
                }
                // Exactly the positions PatchClassMembership puts in the class, image by image.
                for (image, path) in classBank.manifest.images.enumerated() {
                    let mask = ClassMasks(try masks.mask(for: path))
                    let positions = PatchClassMembership.members(of: mask, scale: scale.scale)
                        .first { $0.id == member.id }?.positions ?? []
                    let nx = scale.scale.positions(mask.width)
                    let expected = Set(positions.map { ($0 / nx) * scale.scale.stride * 1000 + ($0 % nx) * scale.scale.stride })
                    XCTAssertEqual(seen[image] ?? [], expected, "\(member.name) \(scale.scale.name) \(path)")
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 0)
    }

    func testRetrievalSheetsUnderTheAuthorsRuleShowEveryClassTermOfTheLoss() throws {
        let (bank, index) = try bank()
        let images = data.appendingPathComponent("impressionist/test"), masks = data.appendingPathComponent("impressionist/test_masks")
        let sheet = harness.url("sheet")
        _ = try harness.run(RetrievalSheetStage(), params: ["rows": .int(4), "k": .int(3), "cell": .int(32), "class_terms": .string("authors")],
                            inputs: ["images": images, "bank": bank, "index": index, "photos": photos, "masks": masks],
                            outputs: ["sheet": sheet])
        for name in ["p8s4", "p4s4"] {
            XCTAssertEqual(try ImageCodec.read(sheet.appendingPathComponent("\(name).png")).width, 4 + 6 * 36, name)
        }
        // What the sheet draws from: per class term, the positions the membership rule gives and
        // neighbours from the class's own bank, or class 0's where the bank lacks the class (sky here).
        let loss = try PatchLoss(bankFolder: bank, indexFolder: index, classTerms: .authors, k: 3)
        let path = try ImageFolder(root: images).relativePaths[0]
        let image = try ImageCodec.read(images.appendingPathComponent(path)).convertedTo8Bit().toRGB()
        let mask = ClassMasks(try MaskFolder(root: masks).mask(for: path))
        let terms = try loss.authorsRetrieve(Tensor(image: image), scale: 0, masks: [mask])[0]
        let members = PatchClassMembership.members(of: mask, scale: loss.scales[0].bank.scale)
        XCTAssertEqual(terms.map(\.classID), members.map(\.id))
        XCTAssertEqual(terms.map(\.positions), members.map(\.positions))
        let banked = Set(loss.classBanks.filter { $0.scales[0] != nil }.map(\.id))
        for term in terms { XCTAssertEqual(term.bank, banked.contains(term.classID) ? term.classID : 0, "class \(term.classID)") }
        XCTAssertTrue(terms.contains { $0.classID == 1 && $0.bank == 0 }, "the paintings' sky searches class 0's bank")
    }

    private func trainParams(_ extra: [String: ParamValue]) -> [String: ParamValue] {
        TrainStageTests.params(["epoch_size": .int(2), "epochs": .int(1), "decay_epochs": .int(0), "lambda_patch": .double(1),
                                "load_size": .int(32), "crop_size": .int(24), "sample_every": .int(100),
                                "class_terms": .string("authors")].merging(extra) { $1 })
    }

    func testAPaintingWithoutAMaskIsClassZeroAndCounted() throws {
        let (bank, index) = try bank()
        let masks = data.appendingPathComponent("impressionist/train_masks")
        try FileManager.default.removeItem(at: masks.appendingPathComponent("00004.png"))
        try FileManager.default.removeItem(at: masks.appendingPathComponent("00006.png"))
        let inputs = ["A": data.appendingPathComponent("impressionist/train"), "B": photos, "bank": bank, "index": index, "masks_A": masks]
        let result = try harness.run(TrainStage(), params: trainParams([:]), inputs: inputs,
                                     outputs: ["model": harness.url("model"), "samples": harness.url("samples")])
        XCTAssertEqual(result.value("masks_missing"), 2)
        XCTAssertTrue(result.series("loss.patch").allSatisfy { $0.isFinite && $0 > 0 })
        // Under shares a missing mask is still an error.
        XCTAssertThrowsError(try harness.run(TrainStage(), params: trainParams(["class_terms": .string("shares")]), inputs: inputs,
                                             outputs: ["model": harness.url("m2"), "samples": harness.url("s2")])) { error in
            XCTAssertTrue("\(error)".contains("00004.png: no mask"), "\(error)")
        }
    }

    func testTheAuthorsPicklesTrainAtTheTrainingSizeAndRefuseCropFlipAndOtherSizes() throws {
        let (bank, index) = try bank()
        let paintings = data.appendingPathComponent("impressionist/train")
        let pickles = harness.url("pickles")
        try FileManager.default.createDirectory(at: pickles, withIntermediateDirectories: true)
        let side = 24
        let left = (0..<(side * side)).map { UInt8($0 % side < side / 2 ? 1 : 0) }, top = (0..<(side * side)).map { UInt8($0 < side * 6 ? 1 : 0) }
        for name in try ImageFolder(root: paintings).relativePaths {
            let stem = (name as NSString).deletingPathExtension
            try Data(MaskPickleBytes.encode([(1, left), (3, top)], width: side, height: side))
                .write(to: pickles.appendingPathComponent(stem + ".pkl"))
        }
        let inputs = ["A": paintings, "B": photos, "bank": bank, "index": index, "masks_A": pickles]
        let recipe: [String: ParamValue] = ["load_size": .int(side), "crop_size": .int(side), "flip": .bool(false)]
        let result = try harness.run(TrainStage(), params: trainParams(recipe), inputs: inputs,
                                     outputs: ["model": harness.url("model"), "samples": harness.url("samples")])
        XCTAssertEqual(result.value("masks_missing"), 0)
        XCTAssertTrue(result.series("loss.patch").allSatisfy { $0.isFinite && $0 > 0 })
        for (k, bad) in [["load_size": ParamValue.int(28)], ["flip": .bool(true)]].enumerated() {
            XCTAssertThrowsError(try harness.run(TrainStage(), params: trainParams(recipe.merging(bad) { $1 }), inputs: inputs,
                                                 outputs: ["model": harness.url("m\(k)"), "samples": harness.url("s\(k)")])) { error in
                XCTAssertTrue("\(error)".contains(".pkl: the authors' mask pickles are made at the training size"), "\(error)")
            }
        }
        try Data(MaskPickleBytes.encode([(1, [UInt8](repeating: 1, count: 16 * 16))], width: 16, height: 16))
            .write(to: pickles.appendingPathComponent("00003.pkl"))
        XCTAssertThrowsError(try harness.run(TrainStage(), params: trainParams(recipe), inputs: inputs,
                                             outputs: ["model": harness.url("m9"), "samples": harness.url("s9")])) { error in
            XCTAssertTrue("\(error)".contains("00003.pkl") && "\(error)".contains("[24, 24]"), "\(error)")
        }
    }

    func testTrainResizesWithTheFilterGiven() throws {
        let (_, plan) = try TrainStage.configuration(TrainStageTests.params(["resize_filter": .string("bicubic"), "lambda_patch": .double(0)]), inputs: [])
        XCTAssertEqual(plan.transform.filter, .bicubic)
        let image = Image(width: 40, height: 30, channels: 3, bytes: (0..<3600).map { UInt8(($0 * 37) % 256) })
        var rng = SeededGenerator(seed: 1)
        let transform = TrainingTransform(loadSize: 24, cropSize: 24, flip: false, filter: .bicubic)
        XCTAssertEqual(transform.training(image, using: &rng), image.resized(width: 24, height: 24, filter: .bicubic))
    }

    func testTheArt2RealExperimentUsesTheAuthorsRecipeInEveryTrainingStage() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        // The download stage lives in Downloads; its shape is all the expansion needs.
        let download = StageDescriptor(kind: "cyclegan_dataset", version: 1, summary: "",
                                       params: [ParamSpec("name", .string, default: nil, doc: "")], inputs: [], outputs: ["data"],
                                       imageOutputs: ["data"])
        let experiment = try SpecExpander.load(root.appendingPathComponent("experiments/art2real.yaml").path,
                                               kinds: BuiltinStages.all.map(\.descriptor) + [download])
        let trains = experiment.instances.filter { $0.kind == "train" }
        XCTAssertEqual(trains.count, 12, "three variants for four artists")
        for train in trains {
            XCTAssertEqual(train.params["load_size"], .int(256), train.id)
            XCTAssertEqual(train.params["crop_size"], .int(256), train.id)
            XCTAssertEqual(train.params["flip"], .bool(false), train.id)
            XCTAssertEqual(train.params["class_terms"], .string("authors"), train.id)
            XCTAssertEqual(train.params["checkpoint_blocks"], .bool(true), train.id)
            XCTAssertEqual(train.params["resize_filter"], .string(Self.authorsFilter), train.id)
        }
        for translate in experiment.instances.filter({ $0.kind == "translate" }) {
            XCTAssertEqual(translate.params["resize"], .int(256), translate.id)
            XCTAssertEqual(translate.params["resize_filter"], .string(Self.authorsFilter), translate.id)
        }
        for bank in experiment.instances.filter({ $0.kind == "memory_bank" && $0.inputs["masks"] != nil }) {
            XCTAssertEqual(bank.params["class_terms"], .string("authors"), bank.id)
        }
    }

    /// The resize filter of the authors' recipe (torchvision's Resize on PIL images: PIL BICUBIC).
    static let authorsFilter = "bicubic"
}

/// Mask pickles as Python's pickle (protocol 4) writes a list of (class id, uint8 ndarray) pairs
/// under NumPy 1.x, byte for byte the opcodes `pickle.dumps` emits (without memo entries).
enum MaskPickleBytes {
    static func encode(_ pairs: [(Int, [UInt8])], width: Int, height: Int) -> [UInt8] {
        var out: [UInt8] = [0x80, 4, 0x5D, 0x28]
        func text(_ s: String) { out += [0x8C, UInt8(s.utf8.count)] + Array(s.utf8) }
        func global(_ module: String, _ name: String) { text(module); text(name); out.append(0x93) }
        func int32(_ v: Int32) { out.append(0x4A); withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        for (id, pixels) in pairs {
            out += [0x4B, UInt8(id)]
            global("numpy.core.multiarray", "_reconstruct")
            global("numpy", "ndarray")
            out += [0x4B, 0, 0x85, 0x43, 1, UInt8(ascii: "b"), 0x87, 0x52]
            out += [0x28, 0x4B, 1]
            int32(Int32(height)); int32(Int32(width)); out.append(0x86)
            global("numpy", "dtype")
            text("u1"); out += [0x89, 0x88, 0x87, 0x52]
            out += [0x28, 0x4B, 3]; text("|"); out += [0x4E, 0x4E, 0x4E]; int32(-1); int32(-1); out += [0x4B, 0, 0x74, 0x62]
            out.append(0x89)
            out.append(0x42); withUnsafeBytes(of: UInt32(pixels.count).littleEndian) { out += $0 }; out += pixels
            out += [0x74, 0x62, 0x86]
        }
        out += [0x65, 0x2E]
        return out
    }
}
