import Foundation
import Pipeline
import Report
@testable import Results
import XCTest

/// The HTML report rendered from tables built here: what a reader must find in the page.
final class HTMLReportTests: XCTestCase {
    private func report() -> HTMLReport {
        let table = ResultsTable(axes: ["artist"], columns: ["ours.psnr"], rows: [
            .init(values: ["<monet>"], metrics: ["ours.psnr": 21.25]),
        ], shared: [], missing: [])
        return HTMLReport(title: "PleinAir · demo", description: "a & b", table: table, series: [],
                          images: [(caption: "sheet", png: Data([0x89, 0x50, 0x4E, 0x47]))], notes: ["weights: random"])
    }

    func testThePageIsSelfContainedWithItsTitleNotesAndValues() {
        let html = report().render()
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(html.contains("<title>PleinAir · demo</title>"))
        XCTAssertTrue(html.contains("weights: random"))
        XCTAssertTrue(html.contains("21.25"), "the metric's value is in the table")
        XCTAssertTrue(html.contains("data:image/png;base64,iVBORw=="), "images are inlined")
        XCTAssertFalse(html.contains("src=\"http"), "nothing is fetched from elsewhere")
    }

    func testTextFromTheSpecIsEscaped() {
        let html = report().render()
        XCTAssertTrue(html.contains("&lt;monet&gt;"))
        XCTAssertTrue(html.contains("a &amp; b"))
        XCTAssertFalse(html.contains("<monet>"))
    }

    func testCollapsedResultsShowTheReplicateLegendInsteadOfTheRawRows() {
        var r = report()
        var raw = ResultsTable(axes: ["artist", "seed"], columns: ["ours.psnr"], rows: [
            .init(values: ["monet", "1"], metrics: ["ours.psnr": 20]),
            .init(values: ["monet", "2"], metrics: ["ours.psnr": 22]),
        ], shared: [], missing: [])
        raw.columnAxes = ["ours.psnr": ["artist", "seed"]]
        r.collapsed = ReplicateTable(raw, replicates: ["seed"])
        let html = r.render()
        XCTAssertTrue(html.contains(r.collapsed!.legend))
        XCTAssertTrue(html.contains("(n = 2)"), "the legend counts the seeds")
        XCTAssertTrue(html.contains(r.collapsed!.text(r.collapsed!.rows[0].cells["ours.psnr"])))
    }
}
