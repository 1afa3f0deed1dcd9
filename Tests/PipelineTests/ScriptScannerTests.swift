@testable import Pipeline
import XCTest

/// Reading a Python file's imports and shell text's script invocations without running anything.
final class PythonImportScannerTests: XCTestCase {
    private func imports(_ source: String) -> [String] {
        PythonImportScanner.imports(in: Array(source.utf8)).map(\.description)
    }

    func testImportListsWithAliasesNameEachModule() {
        XCTAssertEqual(imports("import a.b as c, d\nimport e"), ["import a.b", "import d", "import e"])
    }

    func testParenthesisedFromImportsSpanLines() {
        let source = """
        from pkg.sub import (
            one as uno,  # a comment
            two,
        )
        from x import *
        """
        XCTAssertEqual(imports(source), ["from pkg.sub import one, two", "from x import *"])
    }

    func testRelativeImportsCountTheirDots() {
        XCTAssertEqual(imports("from . import c\nfrom .d import e\nfrom ..f.g import h\nfrom ... import i"),
                       ["from . import c", "from .d import e", "from ..f.g import h", "from ... import i"])
    }

    func testStringsAndCommentsHoldNoImports() {
        let source = #"""
        """Module doc.
        import notthis
        """
        # import nor_this
        s = 'import quoted'; t = r"from raw import x"
        u = b'''
        import bytes_string
        '''
        v = f"{1}" "import implicit"
        import real  # import trailing
        """#
        XCTAssertEqual(imports(source), ["import real"])
    }

    func testContinuationsSemicolonsAndCompoundStatements() {
        let source = """
        import a, \\
            b; import c
        if x: import d
        try:
            import ujson as json
        except ImportError:
            import json
        def f():
            from . import lazy
        """
        XCTAssertEqual(imports(source), ["import a", "import b", "import c", "import d", "import ujson", "import json", "from . import lazy"])
    }

    func testYieldFromAndRaiseFromAreNotImports() {
        XCTAssertEqual(imports("def g():\n    yield from h()\n    raise E from err\nx = [i for i in range(3)]"), [])
    }

    func testALiteralImportModuleIsFollowedAComputedOneIsNot() {
        let source = """
        import importlib
        m = importlib.import_module("plugins.fast")
        n = importlib.import_module(name)
        o = importlib.import_module(".rel", "pkg")
        p = __import__("legacy")
        q = __import__(f"dyn_{x}")
        """
        XCTAssertEqual(imports(source), ["import importlib", "import plugins.fast", "import legacy"])
    }
}

final class ScriptInvocationsTests: XCTestCase {
    func testPythonScriptsAndThePythonPathTheCommandSets() {
        let found = ScriptInvocations.find(in: "PYTHONPATH=src:$PYTHONPATH:/opt/lib python3 -u tools/run.py ${inputs.x} > ${outputs.o}")
        XCTAssertEqual(found.entries, [.pythonScript("tools/run.py")])
        XCTAssertEqual(found.pythonPath, ["src"])
    }

    func testPythonDashMNamesAModule() {
        XCTAssertEqual(ScriptInvocations.find(in: "cd . && python3 -B -m app.main --out ${outputs.o}").entries, [.pythonModule("app.main")])
        XCTAssertEqual(ScriptInvocations.find(in: "python -um pkg").entries, [.pythonModule("pkg")])
        XCTAssertEqual(ScriptInvocations.find(in: "python3 -W ignore x.py").entries, [.pythonScript("x.py")])
    }

    func testSourcedFilesAndShellScripts() {
        let found = ScriptInvocations.find(in: "source env.sh && bash -e ./run.sh; . \"conf/vars.sh\"\nsh tools/x | tee log")
        XCTAssertEqual(found.entries, [.sourced("env.sh"), .shellScript("run.sh"), .sourced("conf/vars.sh"), .shellScript("tools/x")])
    }

    func testComputedAbsoluteAndInlineCodeAreNotFollowed() {
        let found = ScriptInvocations.find(in: """
            python3 -c "import x"; bash -c 'y.sh'; source $HOME/z.sh; . /etc/profile; python3 ../up.py
            # source commented.sh
            echo "source quoted.sh"; python3 "$(dirname "$0")/w.py"
            """)
        XCTAssertEqual(found.entries, [])
    }

    func testExportedPythonPathUnderTheWorkingFolder() {
        let found = ScriptInvocations.find(in: "export PYTHONPATH=\"$PWD/lib:${PYTHONPATH}\"\nenv PYTHONPATH=. python3 main.py")
        XCTAssertEqual(found.pythonPath, ["lib", ""])
        XCTAssertEqual(found.entries, [.pythonScript("main.py")])
    }
}
