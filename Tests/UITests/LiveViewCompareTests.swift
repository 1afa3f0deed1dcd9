import Basics
import Foundation
import Pipeline
import TestSupport
import UI
import XCTest

/// The Compare page on a workspace built like the demo (two artists, two seeds, three paintings,
/// tiny images): every cell of a row is the same painting, judged by the bytes the page loads.
final class LiveViewCompareTests: XCTestCase {
    var live: LiveWorkspace!

    override func setUpWithError() throws {
        live = try LiveWorkspace()
        live.stages = compareStages
        try live.write("duo.yaml", compareSpec)
        try live.serve(namedThumbnails: false)
    }

    override func tearDown() { live = nil }

    func requireChromium() throws -> String {
        try Requirement.chromium.check(LiveWorkspace.chromium != nil, "no chromium binary (apt-get install chromium)", in: self)
        return LiveWorkspace.chromium!
    }

    /// The fingerprint each stage of run 1 stored its outputs under.
    func fingerprints() throws -> [String: String] {
        let graph = try live.json(RunGraph.self, "/api/run?run=1")
        return Dictionary(uniqueKeysWithValues: graph.nodes.compactMap { node in node.fingerprint.map { (node.id, $0) } })
    }

    /// SHA-256 of a stored file: `cache/FINGERPRINT/OUTPUT/…`.
    func stored(_ fingerprint: String, _ path: String) throws -> String {
        try SHA256Digest.hex(file: live.workspace.cache.appendingPathComponent(fingerprint).appendingPathComponent(path).path)
    }

    func matches(_ pattern: String, in text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range(at: 1), in: text)!]) }
    }

    func testEachCellOfARowIsThatPaintingsOwnTranslationAndTruth() throws {
        let chromium = try requireChromium()
        try live.run("duo.yaml")
        let prints = try fingerprints()
        let page = try live.dom(chromium, "/compare/1/impressionist/2/0", screenshot: "ui-compare")
        XCTAssertTrue(page.contains("<th>#</th><th>painting</th><th>CycleGAN · seed 2</th><th>Ours · seed 2</th><th>Style transfer</th><th>truth</th>"),
                      String(page.suffix(3000)))
        let row = try XCTUnwrap(matches("<tr><td>00001\\.png</td>(.*?)</tr>", in: page).first, "a row for painting 00001")
        let sources = matches("<img src=\"([^\"]+)\"", in: row)
        XCTAssertEqual(sources.count, 5, row)
        // The bytes the page loads for each cell, against the store's file it must be.
        let loaded = try sources.map { src -> String in
            let reply = try HTTPClient.request(port: live.port, target: src)
            XCTAssertEqual(reply.status, 200, src)
            return SHA256Digest.hex(reply.body)
        }
        let scenes = try XCTUnwrap(prints["scenes"])
        let expected = [
            try stored(scenes, "data/impressionist/test/00001.png"),
            try stored(try XCTUnwrap(prints["cyclegan@impressionist,2"]), "images/00001.png"),
            try stored(try XCTUnwrap(prints["ours@impressionist,2"]), "images/00001.png"),
            try stored(try XCTUnwrap(prints["style@impressionist"]), "images/00001.png"),
            try stored(scenes, "data/impressionist/test_truth/00001.png"),
        ]
        XCTAssertEqual(loaded, expected)
        // The same names elsewhere are other pictures: another seed, another artist, another painting.
        let decoys = [
            try stored(try XCTUnwrap(prints["ours@impressionist,1"]), "images/00001.png"),
            try stored(try XCTUnwrap(prints["ours@woodblock,2"]), "images/00001.png"),
            try stored(try XCTUnwrap(prints["ours@impressionist,2"]), "images/00002.png"),
            try stored(scenes, "data/woodblock/test/00001.png"),
        ]
        XCTAssertEqual(Set(expected).count, expected.count, "every column holds a different picture")
        XCTAssertTrue(Set(loaded).isDisjoint(with: decoys), "no cell shows another seed's, artist's or painting's image")
        // Each thumbnail opens the full-size file.
        XCTAssertEqual(matches("<a href=\"(/files/[^\"]+)\"", in: row), sources.map { $0.replacingOccurrences(of: "/thumbs/", with: "/files/") })
        // ours_vs_truth@impressionist,2 scored 00001.png as 20 + 2 + 1 dB, SSIM 0.51.
        XCTAssertTrue(row.contains("<div class=\"scores\">psnr 23.00 · ssim 0.510</div>"), row)
    }

    func testAllSeedsShowsAColumnPerSeedForTheMethodsThatHaveThem() throws {
        try live.run("duo.yaml")
        let page = try live.json(ComparePage.self, "/api/compare?run=1&group=impressionist&replicate=all&limit=2&offset=1")
        XCTAssertEqual(page.columns.map { $0.label + ($0.replicate.map { " " + $0 } ?? "") },
                       ["painting", "CycleGAN 1", "CycleGAN 2", "Ours 1", "Ours 2", "Style transfer", "truth"])
        XCTAssertEqual(page.rows.map(\.name), ["00001.png", "00002.png"], "rows 2 and 3 of 3")
        XCTAssertEqual(page.total, 3)
        XCTAssertEqual(page.replicates, ["1", "2"])
        XCTAssertEqual(page.groups, ["woodblock", "impressionist"])
        let ours = try XCTUnwrap(page.rows[0].cells[3])
        XCTAssertTrue(ours.path?.hasSuffix("/images/00001.png") == true)
        XCTAssertEqual(ours.metrics.map(\.name), ["psnr", "ssim"])
        XCTAssertEqual(ours.metrics.first?.value, 22, "ours_vs_truth@impressionist,1: 20 + 1 + 1")
        XCTAssertEqual(try HTTPClient.request(port: live.port, target: "/api/compare?run=1").status, 401, "the token, as for every page")
    }

    func testWithoutACompareSectionThePageShowsHowToDeclareOne() throws {
        let chromium = try requireChromium()
        let start = compareSpec.range(of: "compare:")!.lowerBound, end = compareSpec.range(of: "stages:")!.lowerBound
        var spec = compareSpec
        spec.removeSubrange(start..<end)
        try live.write("duo.yaml", spec)
        try live.run("duo.yaml")
        let page = try live.dom(chromium, "/compare/1")
        XCTAssertTrue(page.contains("This experiment declares no comparison."), String(page.suffix(3000)))
        let snippet = try XCTUnwrap(matches("<pre class=\"snippet\" id=\"snippet\">(.*?)</pre>", in: page).first)
        XCTAssertTrue(snippet.hasPrefix("compare:\n  source: scenes.data/${matrix.artist}/test\n"), snippet)
        for method in ["style", "ours", "cyclegan"] { XCTAssertTrue(snippet.contains("    \(method): \(method)\n"), snippet) }
        XCTAssertFalse(page.contains("<table class=\"compare\""))
    }
}
