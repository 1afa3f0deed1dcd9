import Foundation
import Pipeline
import XCTest

/// A new user's `cmd: "python3 score.py …"`, where `score.py` imports `helper.py` beside it:
/// editing `helper.py` must make the stage stale (iterative/dvc#9195), through the real CLI and python3.
final class CommandCodeClosureTests: XCTestCase {
    private var cli: CLIHarness!

    override func setUpWithError() throws {
        cli = try CLIHarness()
        try cli.write("exp.yaml", """
        experiment: imports
        stages:
          score:
            kind: cmd
            cmd: "python3 score.py > ${outputs.o}"
            outputs: {o: file}
        """)
        try cli.write("score.py", "import helper\nprint(helper.K)\n")
        try cli.write("helper.py", "K = 1\n")
    }

    override func tearDown() { cli.cleanUp() }

    private var output: String {
        (try? String(contentsOf: cli.workspace.appendingPathComponent("artifacts/views/imports/score/o"), encoding: .utf8)) ?? ""
    }

    func testEditingTheImportedHelperMakesTheStageStaleAndTheRerunUsesIt() throws {
        let first = try cli.run(["run", "exp.yaml"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(output, "1\n")
        XCTAssertTrue(try cli.run(["status", "exp.yaml"]).stdout.contains("0 of 1 stages would run"))

        try cli.write("helper.py", "K = 2\n")
        let status = try cli.run(["status", "exp.yaml"]).stdout
        XCTAssertTrue(status.contains("1 of 1 stages would run"), status)
        XCTAssertTrue(status.contains("code changed: helper.py (imported by score.py)"), status)
        let again = try cli.run(["run", "exp.yaml"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(output, "2\n")
    }

    func testShowListsTheFilesTheFingerprintCovers() throws {
        XCTAssertEqual(try cli.run(["run", "exp.yaml"]).status, 0)
        let text = try cli.run(["show", "exp.yaml", "score"]).stdout
        XCTAssertTrue(text.contains("code:\n  score.py  sha256:"), text)
        XCTAssertTrue(text.contains("  helper.py  sha256:") && text.contains("(imported by score.py)"), text)
        let json = try cli.run(["show", "exp.yaml", "score", "--json"]).stdout
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let code = object?["code"] as? [[String: String]] ?? []
        XCTAssertEqual(code.map { $0["path"] }, ["score.py", "helper.py"])
        XCTAssertEqual(code.map { $0["via"] }, ["", "imported by score.py"])
        XCTAssertEqual(code.last?["hash"]?.count, 64)
    }

    func testAStageLastRunByTheFirstCmdKindRerunsOnceSayingTheKindChanged() throws {
        XCTAssertEqual(try cli.run(["run", "exp.yaml"]).status, 0)
        // Make the ledger look as the cmd kind v1 left it: its key, and so its fingerprint, differed.
        let ledger = try Ledger(path: cli.workspace.appendingPathComponent("artifacts/ledger.sqlite").path)
        try ledger.query("UPDATE executions SET key_json = replace(key_json, '\"kindVersion\":2', '\"kindVersion\":1'), fingerprint = 'v1-' || fingerprint")
        try ledger.query("UPDATE outputs SET fingerprint = 'v1-' || fingerprint")
        let status = try cli.run(["status", "exp.yaml"]).stdout
        XCTAssertTrue(status.contains("code version changed: cmd v1 → v2"), status)
        XCTAssertEqual(try cli.run(["run", "exp.yaml"]).status, 0)
        XCTAssertTrue(try cli.run(["status", "exp.yaml"]).stdout.contains("0 of 1 stages would run"))
    }
}
