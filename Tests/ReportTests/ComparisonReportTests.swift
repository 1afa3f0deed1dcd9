import Foundation
import Pipeline
@testable import Report
@testable import Results
import TestSupport
import XCTest

/// The report's side-by-side grid: per artist, the first seed's first rows, each cell the image
/// the lineage pairs with the row's painting, inlined, with its per-image values.
final class ComparisonReportTests: XCTestCase {
    let kinds = [
        StageDescriptor(kind: "scenes", version: 1, summary: "", params: [], inputs: [], outputs: ["data"], imageOutputs: ["data"]),
        StageDescriptor(kind: "translate", version: 1, summary: "", params: [], inputs: [("images", true)], outputs: ["images"],
                        imageOutputs: ["images"]),
        StageDescriptor(kind: "score", version: 1, summary: "", params: [], inputs: [("images", true), ("reference", true)], outputs: ["report"]),
    ]
    var root: URL!

    override func setUpWithError() throws {
        root = TemporaryFolder.url("pleinair-report-compare")
    }

    override func tearDown() { try? FileManager.default.removeItem(at: root) }

    func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// Two artists, two seeds, eight paintings each; every stored file's bytes name it (`ours 2 monet 00003`).
    func builder() throws -> ComparisonGrid.Builder {
        let experiment = try SpecExpander.expand(try SpecLoader.parse("""
            experiment: e
            matrix: {artist: [monet, cezanne], seed: ["1", "2"]}
            replicates: [seed]
            compare:
              source: scenes.data/${matrix.artist}/test
              methods: {Ours: ours, Style: style}
              truth: scenes.data/${matrix.artist}/test_truth
            stages:
              scenes: {kind: scenes}
              ours: {kind: translate, foreach: [artist, seed], inputs: {images: "scenes.data/${matrix.artist}/test"}}
              style: {kind: translate, foreach: artist, inputs: {images: "scenes.data/${matrix.artist}/test"}}
              ours_vs_truth: {kind: score, foreach: [artist, seed], inputs: {images: ours.images, reference: "scenes.data/${matrix.artist}/test_truth"}}
            """, file: "e.yaml"), kinds: kinds)
        var prints: [String: String] = ["scenes": "fp-scenes"]
        for artist in ["monet", "cezanne"] {
            for i in 0..<8 {
                let name = String(format: "%05d", i)
                try write("cache/fp-scenes/data/\(artist)/test/\(name).jpg", "painting \(artist) \(name)")
                try write("cache/fp-scenes/data/\(artist)/test_truth/\(name).png", "truth \(artist) \(name)")
                try write("cache/fp-style-\(artist)/images/\(name).png", "style \(artist) \(name)")
                for seed in ["1", "2"] { try write("cache/fp-ours-\(artist)-\(seed)/images/\(name).png", "ours \(seed) \(artist) \(name)") }
            }
            prints["style@\(artist)"] = "fp-style-\(artist)"
            for seed in ["1", "2"] {
                prints["ours@\(artist),\(seed)"] = "fp-ours-\(artist)-\(seed)"
                prints["ours_vs_truth@\(artist),\(seed)"] = "fp-score-\(artist)-\(seed)"
                try write("cache/fp-score-\(artist)-\(seed)/report",
                          "image,psnr,ssim\n" + (0..<8).map { String(format: "%05d.png,%d.5,0.%d25\n", $0, 20 + $0, $0) }.joined())
            }
        }
        return ComparisonGrid.Builder(experiment: experiment, fingerprints: prints, cache: root.appendingPathComponent("cache"), workspace: root)
    }

    func testEachArtistsGridShowsTheFirstSeedsRowsPairedByLineageWithTheirValues() throws {
        let builder = try builder()
        XCTAssertEqual(builder.groups, [["monet"], ["cezanne"]])
        let grid = try XCTUnwrap(builder.grid(group: ["cezanne"], replicate: ["1"], limit: 6))
        XCTAssertEqual(grid.columns.map(\.label), ["painting", "Ours", "Style", "truth"])
        XCTAssertEqual(grid.rows.count, 6)
        XCTAssertEqual(grid.total, 8)
        XCTAssertEqual(grid.notes, [])
        let report = HTMLReport.ComparisonSection(title: "artist cezanne · seed 1", grid: grid, more: "http://127.0.0.1:8765/#/compare/3/cezanne/1/0")
        var page = HTMLReport(title: "t", description: "", table: ResultsTable(axes: [], columns: [], rows: [], shared: [], missing: []),
                              series: [], images: [], notes: [])
        page.comparisons = [report]
        let html = page.render()
        let inline = { (text: String, type: String) -> String in "src=\"data:\(type);base64,\(Data(text.utf8).base64EncodedString())\"" }
        let row3 = try XCTUnwrap(html.components(separatedBy: "<tr><td>00003.jpg</td>").dropFirst().first?.components(separatedBy: "</tr>").first)
        var at = row3.startIndex
        for (text, type) in [("painting cezanne 00003", "image/jpeg"), ("ours 1 cezanne 00003", "image/png"),
                             ("style cezanne 00003", "image/png"), ("truth cezanne 00003", "image/png")] {
            let found: Range<String.Index> = try XCTUnwrap(row3.range(of: inline(text, type), range: at..<row3.endIndex), "\(text), in column order")
            at = found.upperBound
        }
        XCTAssertTrue(row3.contains("<div class=\"scores\">psnr 23.50 · ssim 0.325</div>"), row3)
        XCTAssertFalse(html.contains("00006.jpg"), "only the first six rows")
        XCTAssertTrue(html.contains("<h3>artist cezanne · seed 1</h3>"))
        XCTAssertTrue(html.contains("Rows 1–6 of 8."))
        XCTAssertTrue(html.contains("<a href=\"http://127.0.0.1:8765/#/compare/3/cezanne/1/0\">"), "the live view for the rest")
    }

    func testAMethodMadeFromOtherImagesShowsNoCellsAndSaysWhy() throws {
        var builder = try builder()
        let index = try XCTUnwrap(builder.experiment.instances.firstIndex { $0.id == "style@cezanne" })
        builder.experiment.instances[index].inputs["images"] = .output(stage: "scenes", output: "data", subpath: "monet/test")
        let grid = try XCTUnwrap(builder.grid(group: ["cezanne"], replicate: ["2"], limit: 2))
        XCTAssertEqual(grid.rows.map { $0.cells.map { $0 != nil } }, [[true, true, false, true], [true, true, false, true]])
        XCTAssertEqual(grid.notes, ["Style: style@cezanne made its images from scenes.data/monet/test, not from scenes.data/cezanne/test"])
    }

    func testLabelsNamesAndNotesFromTheSpecAreEscaped() {
        let grid = ComparisonGrid(columns: [.init(label: "<Ours>", role: "method", stage: nil, replicate: "<1>")],
                                  rows: [.init(name: "<a>.png", cells: [nil])], total: 1, offset: 0, notes: ["<note>"])
        let html = HTMLReport.comparisonsHTML([.init(title: "<title>", grid: grid, more: "http://x/#\"<y>")], read: { _ in nil })
        for raw in ["<Ours>", "<1>", "<a>", "<note>", "<title>", "\"<y>"] { XCTAssertFalse(html.contains(raw), raw) }
        XCTAssertTrue(html.contains("<th>&lt;Ours&gt; · &lt;1&gt;</th>") && html.contains("<td>&lt;a&gt;.png</td><td>–</td>"), html)
    }

    func testAnExperimentWithoutTheSectionHasNoGrid() throws {
        var builder = try builder()
        builder.experiment.results.compare = nil
        XCTAssertNil(builder.grid(group: ["monet"], replicate: ["1"]))
    }
}
