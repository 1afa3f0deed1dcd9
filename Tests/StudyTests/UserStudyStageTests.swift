import Foundation
import Imaging
import Study
import XCTest

/// What the `user_study` stage writes: sheets raters can open offline, and a key they never see.
final class UserStudyStageTests: XCTestCase {
    func testWritesAPagePerRaterAnIndexAKeyAndAPrintableSheetEach() throws {
        let fixture = try StudyFixture(raters: 3)
        let fingerprint = try fixture.run()
        let sheets = fixture.output("sheets", fingerprint: fingerprint)
        let names = try FileManager.default.contentsOfDirectory(atPath: sheets.path).sorted()
        XCTAssertEqual(names, ["images", "index.html", "rater-01.html", "rater-02.html", "rater-03.html"])
        let key = try fixture.key(fingerprint: fingerprint)
        XCTAssertEqual(key.sheets.map(\.rater), [1, 2, 3])
        XCTAssertEqual(key.artist, "impressionist")
        // 2 realism + 2 coherence + 2 × 3 ratios of real_or_fake + 2 attention checks.
        XCTAssertEqual(key.sheets.map(\.trials.count), [12, 12, 12])
        let prints = try FileManager.default.contentsOfDirectory(atPath: fixture.output("print", fingerprint: fingerprint).path).sorted()
        XCTAssertEqual(prints, ["rater-01.png", "rater-02.png", "rater-03.png"])
    }

    func testPagesAreSelfContainedAndRevealNeitherSourcesNorSides() throws {
        let fixture = try StudyFixture()
        let fingerprint = try fixture.run()
        let sheets = fixture.output("sheets", fingerprint: fingerprint)
        let key = try fixture.key(fingerprint: fingerprint)
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
        let fixture = try StudyFixture()
        let fingerprint = try fixture.run()
        let images = fixture.output("sheets", fingerprint: fingerprint).appendingPathComponent("images")
        for trial in try fixture.key(fingerprint: fingerprint).sheets[0].trials where trial.study == .realOrFake {
            let expected = Int((32 * trial.ratio).rounded())
            for name in trial.images.dropFirst() {
                let image = try ImageCodec.read(images.appendingPathComponent(name))
                XCTAssertEqual([image.width, image.height], [expected, expected], "ratio \(trial.ratio)")
            }
        }
    }

    func testAnExposureLimitReachesThePage() throws {
        let fixture = try StudyFixture(extraParams: ", exposure_ms: 1500")
        let fingerprint = try fixture.run()
        let html = try String(contentsOf: fixture.output("sheets", fingerprint: fingerprint).appendingPathComponent("rater-02.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("\"exposure\":1500"))
    }
}
