import Foundation
import Imaging
import Pipeline
import Stages
import Study
import XCTest

/// What the `user_study` stage writes: sheets raters can open offline, and a key they never see.
final class UserStudyStageTests: XCTestCase {
    /// The stage's three outputs, from demo scenes standing in for its folders (paintings as the
    /// baseline's results, their ground-truth photos as the method's).
    struct Written {
        let harness: StageHarness
        var sheets: URL { harness.url("sheets") }
        var print: URL { harness.url("print") }
        func key() throws -> AnswerKey { try AnswerKey.read(harness.url("key")) }
    }

    func study(raters: Int = 2, exposureMS: Int = 0) throws -> Written {
        let harness = try StageHarness("user-study")
        let data = harness.url("data")
        try DemoScenes.write(DemoSceneOptions(trainCount: 0, testCount: 5, size: 24, seed: 3, styles: [.impressionist]), to: data)
        let folder = { (path: String) in data.appendingPathComponent(path) }
        _ = try harness.run(UserStudyStage(),
                            params: ["raters": .int(raters), "trials_per_study": .int(2), "attention_checks": .int(2),
                                     "base_size": .int(32), "artist": .string("impressionist"), "exposure_ms": .int(exposureMS)],
                            inputs: ["paintings": folder("impressionist/test"), "baseline": folder("impressionist/test"),
                                     "method": folder("impressionist/test_truth"), "real": folder("photos/test")],
                            outputs: ["sheets": harness.url("sheets"), "key": harness.url("key"), "print": harness.url("print")])
        return Written(harness: harness)
    }

    func testWritesAPagePerRaterAnIndexAKeyAndAPrintableSheetEach() throws {
        let written = try study(raters: 3)
        let names = try FileManager.default.contentsOfDirectory(atPath: written.sheets.path).sorted()
        XCTAssertEqual(names, ["images", "index.html", "rater-01.html", "rater-02.html", "rater-03.html"])
        let key = try written.key()
        XCTAssertEqual(key.sheets.map(\.rater), [1, 2, 3])
        XCTAssertEqual(key.artist, "impressionist")
        // 2 realism + 2 coherence + 2 × 3 ratios of real_or_fake + 2 attention checks.
        XCTAssertEqual(key.sheets.map(\.trials.count), [12, 12, 12])
        let prints = try FileManager.default.contentsOfDirectory(atPath: written.print.path).sorted()
        XCTAssertEqual(prints, ["rater-01.png", "rater-02.png", "rater-03.png"])
    }

    func testPagesAreSelfContainedAndRevealNeitherSourcesNorSides() throws {
        let written = try study()
        let sheets = written.sheets
        let key = try written.key()
        let html = try String(contentsOf: sheets.appendingPathComponent("rater-01.html"), encoding: .utf8)
        XCTAssertFalse(html.contains("http://") || html.contains("https://") || html.contains("@import"), "no network resources")
        XCTAssertFalse(html.contains("<script src") || html.contains("<link"), "no external scripts or styles")
        for word in ["00000.png", "test_truth", "baseline", "method", "ours", "attention", "expected"] {
            XCTAssertFalse(html.contains(word), "the page says '\(word)'")
        }
        for trial in key.sheets[0].trials {
            XCTAssertTrue(html.contains(trial.trialID))
            for image in trial.images where !image.isEmpty {
                XCTAssertTrue(html.contains("images/\(image)"))
                XCTAssertTrue(FileManager.default.fileExists(atPath: sheets.appendingPathComponent("images/\(image)").path))
                XCTAssertNotNil(image.range(of: "^[0-9a-f]{20}\\.png$", options: .regularExpression), "neutral name: \(image)")
            }
        }
    }

    func testRealOrGeneratedImagesAreShownAtEachRatioOfTheBaseSize() throws {
        let written = try study()
        let images = written.sheets.appendingPathComponent("images")
        for trial in try written.key().sheets[0].trials where trial.study == .realOrFake {
            let expected = Int((32 * trial.ratio).rounded())
            for name in trial.images.dropFirst() {
                let image = try ImageCodec.read(images.appendingPathComponent(name))
                XCTAssertEqual([image.width, image.height], [expected, expected], "ratio \(trial.ratio)")
            }
        }
    }

    func testImagesAreShownAtTheDisplaySizeTimesTheRatioAndTheSheetSaysHow() throws {
        let written = try study()
        let html = try String(contentsOf: written.sheets.appendingPathComponent("rater-01.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("Images are shown 256 pixels wide, scaled smoothly by the browser from 32-pixel files"), html)
        let key = try written.key()
        for trial in key.sheets[0].trials {
            let width = Int((256 * trial.ratio).rounded())
            XCTAssertTrue(html.contains("\"id\":\"\(trial.trialID)\"") && html.contains("\"width\":\(width)"), "trial \(trial.trialID) at ratio \(trial.ratio)")
        }
        XCTAssertTrue(html.contains("\"width\":128"), "real_or_fake at ratio 1/2 is shown at half the display size")
    }

    func testAnExposureLimitReachesThePage() throws {
        let written = try study(exposureMS: 1500)
        let html = try String(contentsOf: written.sheets.appendingPathComponent("rater-02.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("\"exposure\":1500"))
    }
}
