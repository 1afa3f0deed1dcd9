import Pipeline
@testable import Results
import XCTest

/// Tables built directly (no ledger): collapsing replicates, pivoting, and every format's cells.
final class ResultsTests: XCTestCase {
    private func table() -> ResultsTable {
        var table = ResultsTable(axes: ["artist", "seed"], columns: ["ours.psnr"], rows: [
            .init(values: ["monet", "1"], metrics: ["ours.psnr": 20]),
            .init(values: ["monet", "2"], metrics: ["ours.psnr": 22]),
            .init(values: ["cezanne", "1"], metrics: ["ours.psnr": 18.5]),
        ], shared: [], missing: [])
        table.columnAxes = ["ours.psnr": ["artist", "seed"]]
        return table
    }

    func testCollapsingReplicatesGivesTheMeanAndAnIntervalOnlyWithTwoValues() throws {
        let collapsed = ReplicateTable(table(), replicates: ["seed"])
        XCTAssertEqual(collapsed.axes, ["artist"])
        XCTAssertEqual(collapsed.rows.map(\.values), [["monet"], ["cezanne"]])
        let monet = try XCTUnwrap(collapsed.rows[0].cells["ours.psnr"])
        XCTAssertEqual(monet.mean, 21)
        XCTAssertEqual(monet.n, 2)
        // t(0.975, 1) = 12.706…, sd = √2, half-width = 12.706 × √2 / √2.
        XCTAssertEqual(try XCTUnwrap(monet.halfWidth), 12.706204736174705, accuracy: 1e-9)
        XCTAssertNil(collapsed.rows[1].cells["ours.psnr"]?.halfWidth, "one value has no interval")
    }

    func testPivotingMovesAnAxisIntoTheColumns() throws {
        let pivoted = try XCTUnwrap(table().pivoted(on: "artist"))
        XCTAssertEqual(pivoted.axes, ["seed"])
        XCTAssertEqual(pivoted.columns, ["monet:ours.psnr", "cezanne:ours.psnr"])
        XCTAssertEqual(pivoted.rows.map(\.values), [["1"], ["2"]])
        XCTAssertEqual(pivoted.rows[0].metrics, ["monet:ours.psnr": 20, "cezanne:ours.psnr": 18.5])
        XCTAssertNil(table().pivoted(on: "nope"))
    }

    func testMachineFormatsKeepEveryDigitAndPeopleFormatsRound() {
        XCTAssertEqual(TableRenderer.cell(0.1 + 0.2, exact: true), "0.30000000000000004")
        XCTAssertEqual(TableRenderer.cell(0.1 + 0.2), "0.3")
        XCTAssertEqual(TableRenderer.cell(3, exact: true), "3")
        XCTAssertEqual(TableRenderer.cell(nil), "")
        XCTAssertTrue(TableFormat.csv.isExact && TableFormat.json.isExact && !TableFormat.markdown.isExact)
    }

    func testCSVQuotesCellsThatHoldSeparators() {
        let csv = TableRenderer.render(header: ["name", "value"], rows: [["a,b", "1"]], format: .csv)
        XCTAssertTrue(csv.contains("\"a,b\",1"), csv)
    }
}
