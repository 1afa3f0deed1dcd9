import Foundation
import XCTest

/// What `show` and the ledger say a stage read: for a path inside another stage's output, the hash
/// of that path, not of the whole output.
final class LineageTests: XCTestCase {
    var cli: CLIHarness!

    override func setUpWithError() throws { cli = try CLIHarness() }
    override func tearDown() { cli.cleanUp() }

    func testInputsInsideAnUpstreamOutputAreRecordedByTheirOwnHashes() throws {
        try cli.write("lineage.yaml", """
        experiment: lineage
        stages:
          data:
            kind: cmd
            cmd: "mkdir -p ${outputs.d}/a ${outputs.d}/b && echo one > ${outputs.d}/a/x && echo two > ${outputs.d}/b/x"
            outputs: {d: dir}
          use:
            kind: cmd
            inputs: {A: data.d/a, B: data.d/b, all: data.d}
            cmd: "cat ${inputs.A}/x ${inputs.B}/x > ${outputs.o}"
            outputs: {o: file}
          same:
            kind: cmd
            inputs: {A: data.d/a}
            cmd: "cat ${inputs.A}/x > ${outputs.o}"
            outputs: {o: file}
        """)
        let run = try cli.run(["run", "lineage.yaml"])
        XCTAssertEqual(run.status, 0, run.stderr)
        func inputHashes(_ stage: String) throws -> [String: String] {
            let shown = try cli.run(["show", "lineage.yaml", stage, "--json"])
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
            return try XCTUnwrap(object["input_hashes"] as? [String: String])
        }
        let use = try inputHashes("use"), same = try inputHashes("same")
        XCTAssertEqual(Set(use.keys), ["A", "B", "all"])
        XCTAssertNotEqual(use["A"], use["B"])
        XCTAssertNotEqual(use["A"], use["all"])
        XCTAssertEqual(use["A"], same["A"], "the same folder has the same hash wherever it is read")
    }
}
