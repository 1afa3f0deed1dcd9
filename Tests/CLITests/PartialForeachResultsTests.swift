import Foundation
import XCTest

/// A stage run for some values of an axis only (`foreach: {dataset: [a]}`, the zoo's one Monet
/// generator) fills its own column of a declared table and leaves the others empty.
final class PartialForeachResultsTests: XCTestCase {
    func testARestrictedStageFillsOnlyItsColumns() throws {
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        try cli.write("partial.yaml", """
        experiment: partial
        matrix: {dataset: [monet2photo, landscape2photo]}
        tables:
          fid:
            caption: "FID"
            rows: {Released: everywhere, Zoo: zoo}
            columns: {axis: dataset, metrics: [fid]}
            better: lower
        stages:
          everywhere:
            kind: cmd
            foreach: dataset
            cmd: "echo '{\\"fid\\": 40}' > ${metrics}"
          zoo:
            kind: cmd
            foreach: {dataset: [monet2photo]}
            cmd: "echo '{\\"fid\\": 30}' > ${metrics}"
        """)
        let run = try cli.run(["run", "partial.yaml"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let said = run.stdout + run.stderr
        XCTAssertTrue(said.contains("zoo@monet2photo") && !said.contains("zoo@landscape2photo"), said)
        let json = try cli.run(["results", "partial.yaml", "--table", "fid", "--format", "json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], json.stdout)
        let rows = try XCTUnwrap(object["rows"] as? [[String: Any]])
        let zoo = try XCTUnwrap(rows.first { $0["label"] as? String == "Zoo" })
        let cells = try XCTUnwrap(zoo["cells"] as? [[String: Any]])
        XCTAssertEqual(object["groups"] as? [String], ["monet2photo", "landscape2photo"])
        XCTAssertEqual(cells.count, 2)
        XCTAssertEqual(cells[0]["value"] as? Double, 30, json.stdout)
        XCTAssertTrue(cells[1]["value"] == nil || cells[1]["value"] is NSNull, json.stdout)
    }
}
