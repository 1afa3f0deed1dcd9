import Foundation
import XCTest

/// `results --html` with a `compare:` section: per artist the first seed's grid, in place of the
/// contact sheets, each cell the file the lineage pairs with the row's painting, with its values.
final class ComparisonReportCommandTests: XCTestCase {
    let spec = """
        experiment: look
        matrix: {artist: [impressionist, woodblock], seed: ["1", "2"]}
        replicates: [seed]
        compare:
          source: scenes.data/${matrix.artist}/test
          methods: {Copy: copy}
          truth: scenes.data/${matrix.artist}/test_truth
        stages:
          scenes:
            kind: demo_scenes
            params: {train_count: 1, test_count: 8, size: 16, styles: [impressionist, woodblock]}
          copy:
            kind: cmd
            foreach: [artist, seed]
            inputs: {images: "scenes.data/${matrix.artist}/test"}
            params: {seed: "${matrix.seed}"}
            cmd: "mkdir -p ${outputs.images} && cp ${inputs.images}/*.png ${outputs.images}/ && echo ${params.seed} > /dev/null"
            outputs: {images: dir}
          copy_vs_truth:
            kind: compare_images
            foreach: [artist, seed]
            inputs: {images: copy.images, reference: "scenes.data/${matrix.artist}/test_truth"}
          sheet:
            kind: contact_sheet
            foreach: artist
            inputs: {painting: "scenes.data/${matrix.artist}/test", truth: "scenes.data/${matrix.artist}/test_truth"}

        """

    func testTheReportShowsEachArtistsGridInPlaceOfTheContactSheets() throws {
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        try cli.write("look.yaml", spec)
        let run = try cli.run(["run", "look.yaml"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let out = try cli.run(["results", "look.yaml", "--html", "report.html"])
        XCTAssertEqual(out.status, 0, out.stderr)
        let html = try String(contentsOf: cli.workspace.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<h2>Side by side</h2>"), String(html.suffix(2000)))
        XCTAssertTrue(html.contains("<h3>artist impressionist · seed 1</h3>") && html.contains("<h3>artist woodblock · seed 1</h3>"))
        XCTAssertTrue(html.contains("<tr><th>#</th><th>painting</th><th>Copy · 1</th><th>truth</th></tr>"))
        XCTAssertTrue(html.contains("Rows 1–6 of 8."))
        XCTAssertTrue(html.contains("<a href=\"http://127.0.0.1:8765/#/compare/1/woodblock/1/0\">"))
        XCTAssertFalse(html.contains("sheet@woodblock · sheet"), "the grids replace the contact sheets")
        // Woodblock's row 00003: its painting twice (the copy is byte for byte the painting), then its truth.
        let cache = cli.workspace.appendingPathComponent("artifacts/cache")
        let scenes = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: cache.path).first { fingerprint in
            FileManager.default.fileExists(atPath: cache.appendingPathComponent("\(fingerprint)/data/woodblock/test_truth/00003.png").path)
        })
        let painting = try Data(contentsOf: cache.appendingPathComponent("\(scenes)/data/woodblock/test/00003.png"))
        let truth = try Data(contentsOf: cache.appendingPathComponent("\(scenes)/data/woodblock/test_truth/00003.png"))
        let other = try Data(contentsOf: cache.appendingPathComponent("\(scenes)/data/impressionist/test/00003.png"))
        let sections = html.components(separatedBy: "<h3>artist woodblock · seed 1</h3>")
        let row = try XCTUnwrap(sections.last?.components(separatedBy: "<tr><td>00003.png</td>").dropFirst().first?.components(separatedBy: "</tr>").first)
        let inline = { (data: Data) in "src=\"data:image/png;base64,\(data.base64EncodedString())\"" }
        XCTAssertEqual(row.components(separatedBy: inline(painting)).count - 1, 2, "the painting and its copy")
        XCTAssertEqual(row.components(separatedBy: inline(truth)).count - 1, 1, "its truth")
        XCTAssertFalse(row.contains(inline(other)), "not impressionist's painting of the same name")
        XCTAssertTrue(row.contains("<div class=\"scores\">psnr "), "copy_vs_truth's per-image values under the copy")
    }
}
