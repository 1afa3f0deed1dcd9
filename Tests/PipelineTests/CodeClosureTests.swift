@testable import Pipeline
import XCTest

/// A `cmd` stage's fingerprint covers the workspace code its scripts import and source, found as
/// Python and the shell would find it (iterative/dvc#9195), planned against an in-memory workspace.
final class CodeClosureTests: XCTestCase {
    private func experiment(_ command: String, code: String? = nil) throws -> Experiment {
        let text = """
        experiment: e
        stages:
          score:
            kind: cmd
            cmd: "\(command) > ${outputs.o}"
        \(code.map { "    code: \($0)" } ?? "")
            outputs: {o: file}
        """
        let cmd = StageDescriptor(kind: "cmd", version: 2, summary: "", params: nil, inputs: nil, outputs: nil)
        return try SpecExpander.expand(try SpecLoader.parse(text, file: "t.yaml"), kinds: [cmd])
    }

    private func covered(_ command: String, _ env: FakePlanEnvironment) throws -> [String] {
        try Planner.plan(try experiment(command), environment: env).stage("score")!.code.map(\.description)
    }

    /// Plans once, remembers the run, applies `edit`, and returns what the next plan decides.
    private func decisionAfter(_ command: String, _ env: FakePlanEnvironment, code: String? = nil,
                               _ edit: (FakePlanEnvironment) -> Void) throws -> StageDecision? {
        env.remember(try Planner.plan(try experiment(command, code: code), environment: env))
        XCTAssertEqual(try Planner.plan(try experiment(command, code: code), environment: env).toRun.count, 0)
        edit(env)
        return try Planner.plan(try experiment(command, code: code), environment: env).stage("score")?.decision
    }

    func testEditingAnImportedModuleRerunsNamingTheModuleAndItsImporter() throws {
        let env = FakePlanEnvironment()
        env.scripts = ["score.py": "import helper\nprint(helper.K)\n", "helper.py": "K = 1\n"]
        let decision = try decisionAfter("python3 score.py", env) { $0.scripts["helper.py"] = "K = 2\n" }
        XCTAssertEqual(decision, .run(.codeChanged([CodeFile(path: "helper.py", via: [CodeLink(.imported, by: "score.py")])])))
        XCTAssertEqual(RunReason.codeChanged([CodeFile(path: "helper.py", via: [CodeLink(.imported, by: "score.py")])]).description,
                       "code changed: helper.py (imported by score.py)")
    }

    func testAModuleTwoImportsDeepInAPackageIsCoveredWithItsChain() throws {
        let env = FakePlanEnvironment()
        env.scripts = ["score.py": "from helper import run\n", "helper.py": "import lib.deep\n",
                       "lib/__init__.py": "", "lib/deep.py": "X = 1\n"]
        XCTAssertEqual(try covered("python3 score.py", env), [
            "score.py", "helper.py (imported by score.py)", "lib/__init__.py (imported by helper.py, imported by score.py)",
            "lib/deep.py (imported by helper.py, imported by score.py)",
        ])
        let decision = try decisionAfter("python3 score.py", env) { $0.scripts["lib/deep.py"] = "X = 2\n" }
        XCTAssertEqual(decision?.reason?.description, "code changed: lib/deep.py (imported by helper.py, imported by score.py)")
    }

    func testAWorkspaceModuleBesideTheScriptShadowsTheStandardLibrary() throws {
        let env = FakePlanEnvironment()
        // Python searches the script's folder first: tools/json.py is `json`; the json.py at the root is not.
        env.scripts = ["tools/score.py": "import json, os, numpy\n", "tools/json.py": "def dumps(x): return ''\n", "json.py": ""]
        XCTAssertEqual(try covered("python3 tools/score.py", env), ["tools/score.py", "tools/json.py (imported by tools/score.py)"])
        let decision = try decisionAfter("python3 tools/score.py", env) { $0.scripts["tools/json.py"] = "" }
        XCTAssertEqual(decision?.reason?.description, "code changed: tools/json.py (imported by tools/score.py)")
    }

    func testRelativeImportsInsideAPackageRunWithDashM() throws {
        let env = FakePlanEnvironment()
        env.scripts = ["app/__init__.py": "", "app/main.py": "from .util import f\nfrom . import consts\nfrom .. import nothing\n",
                       "app/util.py": "from .sub.leaf import g\n", "app/sub/__init__.py": "", "app/sub/leaf.py": "",
                       "app/consts.py": "", "app/unused.py": ""]
        XCTAssertEqual(try covered("python3 -m app.main", env), [
            "app/__init__.py", "app/main.py", "app/util.py (imported by app/main.py)",
            "app/sub/__init__.py (imported by app/util.py, imported by app/main.py)",
            "app/sub/leaf.py (imported by app/util.py, imported by app/main.py)", "app/consts.py (imported by app/main.py)",
        ])
        let decision = try decisionAfter("python3 -m app.main", env) { $0.scripts["app/sub/leaf.py"] = "g = 1\n" }
        XCTAssertEqual(decision?.reason?.description, "code changed: app/sub/leaf.py (imported by app/util.py, imported by app/main.py)")
    }

    func testDashMOfAPackageRunsItsMainModule() throws {
        let env = FakePlanEnvironment()
        env.scripts = ["tool/__init__.py": "", "tool/__main__.py": "from tool import cli\n", "tool/cli.py": ""]
        XCTAssertEqual(try covered("python3 -m tool", env), ["tool/__init__.py", "tool/__main__.py", "tool/cli.py (imported by tool/__main__.py)"])
    }

    func testFoldersTheCommandPutsOnPythonPathAreSearchedAfterTheScriptsFolder() throws {
        let env = FakePlanEnvironment()
        env.scripts = ["run.py": "import mylib.core\nimport other\n", "src/mylib/__init__.py": "", "src/mylib/core.py": "",
                       "src/other.py": "", "lib/other.py": ""]
        XCTAssertEqual(try covered("PYTHONPATH=src:lib python3 run.py", env), [
            "run.py", "src/mylib/__init__.py (imported by run.py)", "src/mylib/core.py (imported by run.py)", "src/other.py (imported by run.py)",
        ])
    }

    func testImportsResolvingOutsideTheWorkspaceAreNotFollowed() throws {
        let env = FakePlanEnvironment()
        env.scripts = ["score.py": "import numpy as np\nfrom os import path\nimport torch.nn\n"]
        XCTAssertEqual(try covered("python3 score.py", env), ["score.py"])
        XCTAssertEqual(env.scanned, ["score.py"])
    }

    func testAShellScriptRerunsWhenAFileItSourcesChanges() throws {
        let env = FakePlanEnvironment()
        env.scripts = ["run.sh": "set -e\n. ./env.sh\npython3 train.py \"$@\"\n", "env.sh": "source conf/more.sh\nexport LR=0.1\n",
                       "conf/more.sh": "", "train.py": "import helper\n", "helper.py": ""]
        XCTAssertEqual(try covered("bash run.sh", env), [
            "run.sh", "env.sh (sourced by run.sh)", "conf/more.sh (sourced by env.sh, sourced by run.sh)", "train.py (run by run.sh)",
            "helper.py (imported by train.py, run by run.sh)",
        ])
        let decision = try decisionAfter("bash run.sh", env) { $0.scripts["env.sh"] = "source conf/more.sh\nexport LR=0.2\n" }
        XCTAssertEqual(decision?.reason?.description, "code changed: env.sh (sourced by run.sh)")
    }

    func testAnImportCycleIsFollowedOnce() throws {
        let env = FakePlanEnvironment()
        env.scripts = ["a.py": "import b\n", "b.py": "import a\nfrom a import b\n", "loop.sh": ". ./loop.sh\n"]
        XCTAssertEqual(try covered("python3 a.py; sh loop.sh", env), ["a.py", "loop.sh", "b.py (imported by a.py)"])
        // a.py is read as the script and once as the module `a`, as Python would run it twice.
        XCTAssertEqual(env.scanned.sorted(), ["a.py", "a.py", "b.py", "loop.sh"])
    }

    func testACodeListStillMeansExactlyTheseFilesAndAnEmptyOneOptsOut() throws {
        let env = FakePlanEnvironment()
        env.scripts = ["score.py": "import helper\n", "helper.py": ""]
        let listed = try Planner.plan(try experiment("python3 score.py", code: "[score.py]"), environment: env).stage("score")!
        XCTAssertEqual(Array(listed.key.inputs.keys), ["code:score.py"])
        XCTAssertEqual(listed.code, ["score.py"])
        let none = try Planner.plan(try experiment("python3 score.py", code: "[]"), environment: env).stage("score")!
        XCTAssertEqual(none.key.inputs, [:])
        XCTAssertEqual(env.scanned, [])
        let decision = try decisionAfter("python3 score.py", env, code: "[score.py]") { $0.scripts["helper.py"] = "X = 1\n" }
        XCTAssertEqual(decision, .cached)
    }

    func testAModuleThatAppearsBesideTheScriptIsACodeChange() throws {
        let env = FakePlanEnvironment()
        env.scripts = ["score.py": "import json\n"]
        let decision = try decisionAfter("python3 score.py", env) { $0.scripts["json.py"] = "" }
        XCTAssertEqual(decision?.reason?.description, "code changed: json.py (imported by score.py)")
    }
}

extension StageDecision {
    var reason: RunReason? {
        if case .run(let reason) = self { return reason }
        return nil
    }
}
