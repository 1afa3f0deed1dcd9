import Foundation
import Pipeline
import XCTest

final class RunLifecycleTests: XCTestCase {
    var cli: CLIHarness!

    override func setUpWithError() throws { cli = try CLIHarness() }
    override func tearDown() { cli.cleanUp() }

    /// A stage that sleeps the first time it runs for a fingerprint (leaving a marker in its work
    /// folder, as a checkpoint would) and finishes at once when resumed.
    let slowSpec = """
    experiment: lifecycle
    stages:
      first:
        kind: cmd
        cmd: "echo one > ${outputs.out}"
        outputs: {out: file}
      slow:
        kind: cmd
        inputs: {in: first.out}
        cmd: "if [ -f $PLEINAIR_WORK/started ]; then cat ${inputs.in} > ${outputs.out}; else touch $PLEINAIR_WORK/started; sleep 30; fi"
        outputs: {out: file}
      last:
        kind: cmd
        inputs: {in: slow.out}
        cmd: "cat ${inputs.in} > ${outputs.out}; echo '{\\"lines\\": 1}' > ${metrics}"
        outputs: {out: file}
    """

    private func ledger() throws -> Ledger {
        try Ledger(path: cli.workspace.appendingPathComponent("artifacts/ledger.sqlite").path)
    }

    private func slowHasStarted() -> Bool {
        let work = cli.workspace.appendingPathComponent("artifacts/work")
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: work.path)) ?? []
        return folders.contains { FileManager.default.fileExists(atPath: work.appendingPathComponent($0).appendingPathComponent("started").path) }
    }

    func testAKilledRunIsResumedByTheNextRunAndLeavesNothingStarted() throws {
        try cli.write("exp.yaml", slowSpec)
        let (process, _, _) = try cli.start(["run", "exp.yaml"])
        XCTAssertTrue(cli.waitFor(20, slowHasStarted))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        // The orphaned `sleep` keeps its own process group; end that group, as the machine would. Not
        // `pkill -f "sleep 30"`: that also ended the `sleep 30` of testCtrlCStopsTheRunCleanlyWithExitCode130
        // whenever the two ran at once (parallel workers, or another checkout's tests on the machine), so
        // its stage failed before the interrupt and that run exited 1 instead of 130.
        XCTAssertEqual(cli.endOrphanedCommands(), 1, "the slow stage's shell and its sleep, one process group")

        XCTAssertEqual(try ledger().executionsStillStarted().map(\.stageID), ["slow"], "the crash left the stage in flight recorded as started")
        let resumed = try cli.run(["run", "exp.yaml"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("previous attempt was interrupted"), resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("cached   first"), resumed.stderr)
        XCTAssertEqual(try ledger().executionsStillStarted().count, 0)
        let tmp = cli.workspace.appendingPathComponent("artifacts/tmp")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp.path), [], "the dead run's staging was swept")
        let verify = try cli.run(["verify"])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
        XCTAssertTrue(verify.stdout.contains("0 corrupt"))
    }

    func testCtrlCStopsTheRunCleanlyWithExitCode130() throws {
        try cli.write("exp.yaml", slowSpec)
        let (process, _, _) = try cli.start(["run", "exp.yaml"])
        XCTAssertTrue(cli.waitFor(20, slowHasStarted))
        let interrupted = Date()
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130)
        XCTAssertLessThan(Date().timeIntervalSince(interrupted), 10, "the running command is stopped, not waited for")
        let ledger = try ledger()
        XCTAssertEqual(try ledger.executionsStillStarted().count, 0)
        XCTAssertEqual(try ledger.lastExecution(experiment: "lifecycle", stage: "slow")?.status, .interrupted)
        XCTAssertEqual(try cli.run(["run", "exp.yaml"]).status, 0)
    }

    func testTwoRunsOnOneWorkspaceAtOnceBothSucceedAndComputeEachStageOnce() throws {
        try cli.write("exp.yaml", """
        experiment: concurrent
        stages:
          a:
            kind: cmd
            cmd: "sleep 1; echo a >> \(cli.workspace.path)/count.txt; echo a > ${outputs.out}"
            outputs: {out: file}
        """)
        let (p1, _, _) = try cli.start(["run", "exp.yaml"])
        let (p2, _, _) = try cli.start(["run", "exp.yaml"])
        p1.waitUntilExit()
        p2.waitUntilExit()
        XCTAssertEqual(p1.terminationStatus, 0)
        XCTAssertEqual(p2.terminationStatus, 0)
        let count = try String(contentsOf: cli.workspace.appendingPathComponent("count.txt"), encoding: .utf8)
        XCTAssertEqual(count, "a\n", "the second run waited for the first and found the stage cached")
    }

    func testAFailingCommandExitsOneAndNamesTheStageAndItsLog() throws {
        try cli.write("exp.yaml", """
        experiment: failing
        stages:
          broken:
            kind: cmd
            cmd: "echo oops >&2; exit 3"
        """)
        let result = try cli.run(["run", "exp.yaml"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("FAILED   broken: the command exited with status 3"), result.stderr)
        XCTAssertTrue(result.stderr.contains("log: "), result.stderr)
        let show = try cli.run(["show", "exp.yaml", "broken"])
        XCTAssertTrue(show.stdout.contains("oops"), show.stdout)
    }

    func testResultsStatusAndDagSpeakJSONMarkdownCSVAndMermaid() throws {
        try cli.write("exp.yaml", """
        experiment: tables
        matrix: {artist: [monet, cezanne]}
        stages:
          score:
            kind: cmd
            foreach: artist
            params: {bias: 1}
            overrides: {cezanne: {bias: 2}}
            cmd: "echo '{\\"fid\\": ${params.bias}.5}' > ${metrics}"
        """)
        XCTAssertEqual(try cli.run(["run", "exp.yaml", "--json"]).status, 0)
        let csv = try cli.run(["results", "exp.yaml", "--format", "csv"]).stdout
        XCTAssertEqual(csv, "artist,score.fid\nmonet,1.5\ncezanne,2.5\n")
        let markdown = try cli.run(["results", "exp.yaml", "--format", "markdown"]).stdout
        XCTAssertTrue(markdown.contains("| monet | 1.5 |"), markdown)
        let json = try cli.run(["results", "exp.yaml", "--format", "json"]).stdout
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let experiments = try XCTUnwrap(document["experiments"] as? [[String: Any]])
        let rows = try XCTUnwrap(experiments.first?["rows"] as? [[String: Any]])
        XCTAssertEqual(experiments.first?["experiment"] as? String, "tables")
        XCTAssertEqual(rows[1]["score.fid"] as? Double, 2.5)
        let status = try cli.run(["status", "exp.yaml", "--json"]).stdout
        XCTAssertTrue(status.contains("\"stale\" : false"), status)
        let dag = try cli.run(["dag", "exp.yaml", "--format", "mermaid"]).stdout
        XCTAssertTrue(dag.hasPrefix("graph LR"), dag)
    }

    func testMachineFormatsCarryEveryDigitAndTheTerminalRounds() throws {
        try cli.write("digits.yaml", """
        experiment: digits
        stages:
          score:
            kind: cmd
            cmd: "echo '{\\"big\\": 123456.78901234567, \\"tiny\\": 1.2345678901e-09, \\"whole\\": 123457, \\"loss\\": [0.5, 0.25000000001]}' > ${metrics}"
        """)
        XCTAssertEqual(try cli.run(["run", "digits.yaml"]).status, 0)
        let csv = try cli.run(["results", "digits.yaml", "--format", "csv"]).stdout
        XCTAssertTrue(csv.contains("score.big,123456.78901234567"), csv)
        XCTAssertTrue(csv.contains("score.tiny,1.2345678901e-09"), csv)
        XCTAssertTrue(csv.contains("score.whole,123457\n"), csv)
        let json = try cli.run(["results", "digits.yaml", "--format", "json"]).stdout
        // Read back with JSONDecoder: Foundation's JSONSerialization on Linux rounds through NSDecimalNumber.
        struct Document: Decodable { struct Experiment: Decodable { let metrics: [String: Double] }; let experiments: [Experiment] }
        let metrics = try JSONDecoder().decode(Document.self, from: Data(json.utf8)).experiments[0].metrics
        XCTAssertEqual(metrics["score.big"], 123456.78901234567)
        XCTAssertEqual(metrics["score.tiny"], 1.2345678901e-09)
        let table = try cli.run(["results", "digits.yaml"]).stdout
        XCTAssertTrue(table.contains("1.235e+05"), table)
        let shown = try cli.run(["show", "digits.yaml", "score", "--json"]).stdout
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(shown.utf8)) as? [String: Any])
        let series = try XCTUnwrap((object["series"] as? [String: [[Double]]])?["loss"])
        XCTAssertEqual(series, [[0, 0.5], [1, 0.25000000001]])
    }

    func testDiffShowsChangedParamsAndMetricsBetweenRuns() throws {
        let spec = """
        experiment: diffing
        stages:
          score:
            kind: cmd
            params: {bias: 1}
            cmd: "echo '{\\"fid\\": ${params.bias}}' > ${metrics}"
        """
        try cli.write("exp.yaml", spec)
        XCTAssertEqual(try cli.run(["run", "exp.yaml"]).status, 0)
        try cli.write("exp.yaml", spec.replacingOccurrences(of: "bias: 1", with: "bias: 4"))
        XCTAssertEqual(try cli.run(["run", "exp.yaml"]).status, 0)
        let diff = try cli.run(["diff", "1", "2"])
        XCTAssertTrue(diff.stdout.contains("score: params changed: bias 1 → 4"), diff.stdout)
        XCTAssertTrue(diff.stdout.contains("fid: 1 → 4"), diff.stdout)
    }

    func testResultsCompareWithThePreviousRunShowsOldBesideNewAndTheParamThatChanged() throws {
        let spec = """
        experiment: comparing
        matrix: {artist: [monet, cezanne]}
        stages:
          score:
            kind: cmd
            foreach: artist
            params: {bias: 1}
            cmd: "echo '{\\"fid\\": ${params.bias}}' > ${metrics}"
        """
        try cli.write("exp.yaml", spec)
        XCTAssertEqual(try cli.run(["run", "exp.yaml"]).status, 0)
        try cli.write("exp.yaml", spec + "\n    overrides: {cezanne: {bias: 3}}\n")
        let rerun = try cli.run(["run", "exp.yaml"])
        XCTAssertTrue(rerun.stderr.contains("cached   score@monet"), rerun.stderr)
        let table = try cli.run(["results", "exp.yaml", "--compare", "previous"])
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.contains("score@cezanne: params changed: bias 1 → 3"), table.stdout)
        XCTAssertTrue(table.stdout.contains("1 → 3"), table.stdout)
        XCTAssertTrue(table.stdout.split(separator: "\n").contains { $0.hasPrefix("monet") && $0.hasSuffix(" 1") }, "unchanged cells show one value")
    }

    func testResultsWritesASelfContainedHTMLReportWithChartsAndSheets() throws {
        try cli.write("exp.yaml", """
        experiment: reported
        matrix: {artist: [monet, cezanne]}
        stages:
          score:
            kind: cmd
            foreach: artist
            cmd: "echo '{\\"fid\\": 2, \\"loss\\": [3, 2, 1]}' > ${metrics}"
        """)
        XCTAssertEqual(try cli.run(["run", "exp.yaml"]).status, 0)
        let path = cli.workspace.appendingPathComponent("report.html").path
        XCTAssertEqual(try cli.run(["results", "exp.yaml", "--html", path]).status, 0)
        let html = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(html.contains("<th>score.fid</th>"))
        XCTAssertTrue(html.contains("<svg"), "bar charts and training curves are inline SVG")
        XCTAssertTrue(html.contains("<polyline"), "the loss series is drawn as a curve")
        XCTAssertFalse(html.contains("<script"), "the report needs no scripts")
    }

    func testADoubledDollarInACommandReachesTheShellAsAVariable() throws {
        try cli.write("exp.yaml", """
        experiment: shellvars
        stages:
          greet:
            kind: cmd
            cmd: "GREETING=hello; echo $${GREETING} > ${outputs.out}"
            outputs: {out: file}
        """)
        let run = try cli.run(["run", "exp.yaml"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let out = cli.workspace.appendingPathComponent("artifacts/views/shellvars/greet/out")
        XCTAssertEqual(try String(contentsOf: out, encoding: .utf8), "hello\n")
    }
}
