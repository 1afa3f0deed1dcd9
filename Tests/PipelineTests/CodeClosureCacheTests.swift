import Foundation
@testable import Pipeline
import XCTest

/// The import closure on disk, through the ledger: a no-op replan reads and parses no script again.
final class CodeClosureCacheTests: XCTestCase {
    private var ws: TestWorkspace!
    private var experiment: Experiment!

    override func setUpWithError() throws {
        ws = try TestWorkspace()
        _ = try ws.write("score.py", "import helper\n")
        _ = try ws.write("helper.py", "import lib.deep\n")
        _ = try ws.write("lib/__init__.py", "")
        _ = try ws.write("lib/deep.py", "K = 1\n")
        let text = """
        experiment: e
        stages:
          score:
            kind: cmd
            cmd: "python3 score.py > ${outputs.o}"
            outputs: {o: file}
        """
        let cmd = StageDescriptor(kind: "cmd", version: 2, summary: "", params: nil, inputs: nil, outputs: nil)
        experiment = try SpecExpander.expand(try SpecLoader.parse(text, file: "t.yaml"), kinds: [cmd])
    }

    func testAnUnchangedScriptIsNeitherReadNorParsedOnTheNextPlan() throws {
        let first = try ws.runner()
        let before = try first.plan(experiment).stage("score")!
        XCTAssertEqual(before.code.map(\.path), ["score.py", "helper.py", "lib/__init__.py", "lib/deep.py"])
        XCTAssertEqual(first.scripts.filesScanned, 4)

        let second = try ws.runner()  // as a new process would: only the ledger remembers
        let again = try second.plan(experiment).stage("score")!
        XCTAssertEqual(second.scripts.filesScanned, 0)
        XCTAssertEqual(second.hasher.filesRead, 0)
        XCTAssertEqual(again.fingerprint, before.fingerprint)
    }

    func testAnEditedModuleIsTheOnlyFileReadAgain() throws {
        _ = try ws.runner().plan(experiment)
        _ = try ws.write("lib/deep.py", "K = 22\n")
        let runner = try ws.runner()
        let after = try runner.plan(experiment).stage("score")!
        XCTAssertEqual(runner.scripts.filesScanned, 1)
        XCTAssertEqual(runner.hasher.filesRead, 1)
        XCTAssertEqual(after.code.last, CodeFile(path: "lib/deep.py", via: [CodeLink(.imported, by: "helper.py"), CodeLink(.imported, by: "score.py")]))
    }
}
