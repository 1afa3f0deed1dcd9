import Foundation
import Pipeline
import XCTest

/// `show`, `runs`, `diff`, `gc` and a failing stage tell the truth after a one-off `--set` run (issue 32).
final class TruthfulCommandsTests: XCTestCase {
    var cli: CLIHarness!

    override func setUpWithError() throws { cli = try CLIHarness() }
    override func tearDown() { cli.cleanUp() }

    /// `n` changes the stage's fingerprint, its log and its series.
    let spec = """
    experiment: mini
    vars: {n: 1}
    stages:
      train:
        kind: cmd
        cmd: "echo training ${n} iterations; echo ${n} > ${outputs.model}; echo '{\\"loss\\": [${n}, 1], \\"final\\": ${n}}' > ${metrics}"
        outputs: {model: file}
        metric_names: [loss, final]
    """

    func testShowPrintsTheLogOfTheExecutionItDescribesAndNamesItsRun() throws {
        try cli.write("mini.yaml", spec)
        XCTAssertEqual(try cli.run(["run", "mini.yaml"]).status, 0)
        XCTAssertEqual(try cli.run(["run", "mini.yaml", "--set", "n=30"]).status, 0)
        let shown = try cli.run(["show", "mini.yaml", "train"])
        XCTAssertEqual(shown.status, 0, shown.stderr)
        let log = try XCTUnwrap(shown.stdout.range(of: "log of run 1, succeeded").map { String(shown.stdout[$0.lowerBound...]) }, shown.stdout)
        XCTAssertTrue(log.contains("\n  training 1 iterations"), shown.stdout)
        XCTAssertFalse(log.contains("training 30 iterations"), "the log of the --set run's fingerprint:\n\(shown.stdout)")
        XCTAssertTrue(shown.stdout.contains("run 2: succeeded") && shown.stdout.contains("[other fingerprint "), shown.stdout)
        let overridden = try cli.run(["show", "mini.yaml", "train", "--set", "n=30"])
        XCTAssertTrue(overridden.stdout.contains("log of run 2, succeeded") && overridden.stdout.contains("training 30 iterations"), overridden.stdout)
        let typo = try cli.run(["show", "mini.yaml", "trian"])
        XCTAssertEqual(typo.status, 2)
        XCTAssertTrue(typo.stderr.contains("did you mean 'train'?"), typo.stderr)
    }

    func testRunsListsEachExperimentsRunsAndDiffRefusesRunsOfTwoExperiments() throws {
        try cli.write("mini.yaml", spec)
        try cli.write("other.yaml", spec.replacingOccurrences(of: "experiment: mini", with: "experiment: other"))
        XCTAssertEqual(try cli.run(["run", "mini.yaml"]).status, 0)
        XCTAssertEqual(try cli.run(["run", "other.yaml"]).status, 0)
        XCTAssertEqual(try cli.run(["run", "mini.yaml", "--set", "n=30"]).status, 0)
        let runs = try cli.run(["runs"])
        XCTAssertEqual(runs.status, 0, runs.stderr)
        let lines = runs.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasPrefix("mini  (") && $0.hasSuffix("/mini.yaml)") }, runs.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("other  (") && $0.hasSuffix("/other.yaml)") }, runs.stdout)
        XCTAssertTrue(lines.contains { $0.contains("run 3") && $0.contains("succeeded") && $0.contains("1 ran, 0 cached; ran train") }, runs.stdout)
        XCTAssertTrue(lines.contains { $0.contains("run mini.yaml --set n=30") }, runs.stdout)
        let mini = try cli.run(["runs", "mini"])
        XCTAssertFalse(mini.stdout.contains("other"), mini.stdout)
        XCTAssertTrue(try cli.run(["runs", "mnii"]).stderr.contains("did you mean 'mini'?"))

        let across = try cli.run(["diff", "1", "2"])
        XCTAssertEqual(across.status, 2)
        XCTAssertTrue(across.stderr.contains("run 1 is of experiment 'mini' and run 2 of 'other'"), across.stderr)
        let forced = try cli.run(["diff", "1", "2", "--across-experiments"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertTrue(forced.stderr.contains("warning: run 1 is of experiment 'mini'"), forced.stderr)

        let diff = try cli.run(["diff", "1", "3"])
        XCTAssertEqual(diff.status, 0, diff.stderr)
        XCTAssertTrue(diff.stdout.contains("final: 1 → 30"), diff.stdout)
        XCTAssertTrue(diff.stdout.contains("loss (series, last of 2 → last of 2 steps): 1 → 1"), diff.stdout)
    }

    func testGCKeepsWhatTheSpecAsWrittenUsesAndHasADryRun() throws {
        try cli.write("mini.yaml", spec)
        XCTAssertEqual(try cli.run(["run", "mini.yaml"]).status, 0)
        XCTAssertEqual(try cli.run(["run", "mini.yaml", "--set", "n=30"]).status, 0)
        let objects = { (try? FileManager.default.subpathsOfDirectory(atPath: self.cli.workspace.appendingPathComponent("artifacts/objects").path))?.count ?? 0 }
        let before = objects()
        let dry = try cli.run(["gc", "--dry-run"])
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(dry.stdout.hasPrefix("would remove 0 objects"), dry.stdout)
        let gc = try cli.run(["gc"])
        XCTAssertTrue(gc.stdout.hasPrefix("removed 0 objects"), gc.stdout)
        XCTAssertEqual(objects(), before)
        let status = try cli.run(["status", "mini.yaml"])
        XCTAssertTrue(status.stdout.contains("0 of 1 stages would run"), "gc dropped the spec's own outputs:\n\(status.stdout)")

        // The spec gone: gc says so, and only --keep 1 (the --set run) protects the experiment.
        try FileManager.default.removeItem(at: cli.workspace.appendingPathComponent("mini.yaml"))
        let dryGone = try cli.run(["gc", "--dry-run"])
        XCTAssertTrue(dryGone.stderr.contains("/mini.yaml is gone; only --keep 1 protects its outputs"), dryGone.stderr)
        XCTAssertFalse(dryGone.stdout.hasPrefix("would remove 0 objects"), dryGone.stdout)
        XCTAssertEqual(objects(), before, "--dry-run removed something")
    }

    func testAFailingCommandShowsTheEndOfItsStderrAndEachAttemptKeepsItsLog() throws {
        try cli.write("fail.yaml", """
        experiment: fail
        stages:
          boom:
            kind: cmd
            cmd: "echo starting; echo 'boom: the input is empty' >&2; exit 3"
            outputs: {o: file}
        """)
        let first = try cli.run(["run", "fail.yaml"])
        XCTAssertEqual(first.status, 1)
        let lines = first.stderr.split(separator: "\n").map(String.init)
        let failed = try XCTUnwrap(lines.firstIndex { $0.contains("FAILED   boom: the command exited with status 3") }, first.stderr)
        XCTAssertTrue(lines[(failed + 1)...].prefix(3).contains { $0.hasSuffix("| boom: the input is empty") }, first.stderr)
        XCTAssertEqual(try cli.run(["run", "fail.yaml"]).status, 1)
        let logs = try FileManager.default.contentsOfDirectory(atPath: cli.workspace.appendingPathComponent("artifacts/logs").path)
            .filter { $0.hasSuffix(".log") }
        XCTAssertEqual(logs.count, 2, "one log per attempt: \(logs)")
    }
}

/// `pleinair kinds` describes `cmd` too, and every kind's metrics.
final class KindsListingTests: XCTestCase {
    func testKindsListsTheFieldsOfCmdAndTheMetricsOfEachKind() throws {
        // `kinds` opens no workspace (and takes no --workspace).
        let process = Process()
        process.executableURL = CLIHarness.executable
        process.arguments = ["kinds"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let kinds = (stdout: stdout, status: process.terminationStatus)
        let lines = kinds.stdout.split(separator: "\n").map(String.init)
        let cmd = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("cmd (v") }, kinds.stdout)
        let fields = lines[(cmd + 1)...].prefix { $0.hasPrefix("  ") }
        for key in ["cmd:", "inputs:", "outputs:", "params:", "metrics:", "metric_names:", "code:"] {
            XCTAssertTrue(fields.contains { $0.hasPrefix("  " + key) }, "cmd lacks \(key):\n\(fields.joined(separator: "\n"))")
        }
        XCTAssertTrue(lines.contains("  metrics: psnr, ssim, images (bookkeeping), skipped (bookkeeping)"), kinds.stdout)
    }
}

/// The results views: `--columns` patterns name metrics whether or not `--pivot` moved an axis into
/// the columns; Markdown is a clean table.
final class ResultsViewTests: XCTestCase {
    func testColumnGlobsMatchPivotedColumns() throws {
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        try cli.write("p.yaml", """
        experiment: p
        matrix: {artist: [monet, cezanne]}
        stages:
          score:
            kind: cmd
            foreach: artist
            cmd: "echo '{\\"psnr\\": 20, \\"rows\\": 3}' > ${metrics}; touch ${outputs.o}"
            outputs: {o: file}
            metric_names: [psnr, rows]
        """)
        XCTAssertEqual(try cli.run(["run", "p.yaml"]).status, 0)
        let pivoted = try cli.run(["results", "p.yaml", "--columns", "score.psnr", "--pivot", "artist"])
        XCTAssertEqual(pivoted.status, 0, pivoted.stderr)
        XCTAssertTrue(pivoted.stdout.contains("monet:score.psnr") && pivoted.stdout.contains("cezanne:score.psnr"), pivoted.stdout)
        XCTAssertFalse(pivoted.stdout.contains("score.rows"), pivoted.stdout)
        XCTAssertFalse(pivoted.stdout.contains("(no per-matrix metrics)"), pivoted.stdout)
    }

    /// Markdown is a table to paste: it starts with the header row, and notes follow it as a list.
    func testMarkdownIsACleanTableWithTheNotesBelowIt() throws {
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        try cli.write("p.yaml", """
        experiment: p
        matrix: {artist: [monet, cezanne], seed: ["1", "2"]}
        replicates: [seed]
        stages:
          score:
            kind: cmd
            foreach: [artist, seed]
            cmd: "echo '{\\"psnr\\": ${matrix.seed}}' > ${metrics}; touch ${outputs.o}"
            outputs: {o: file}
            metric_names: [psnr]
        """)
        XCTAssertEqual(try cli.run(["run", "p.yaml"]).status, 0)
        let markdown = try cli.run(["results", "p.yaml", "--format", "markdown"]).stdout
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("| artist |"), markdown)
        let end = try XCTUnwrap(lines.firstIndex { !$0.hasPrefix("|") }, markdown)
        XCTAssertEqual(lines[end], "", markdown)
        XCTAssertTrue(lines[(end + 1)...].contains { $0.hasPrefix("- mean ± half-width") }, markdown)

        // --format html: the whole report on stdout, nothing on stderr.
        let html = try cli.run(["results", "p.yaml", "--format", "html"])
        XCTAssertEqual(html.status, 0, html.stderr)
        XCTAssertTrue(html.stdout.hasPrefix("<!DOCTYPE html>") || html.stdout.hasPrefix("<!doctype html>"), String(html.stdout.prefix(200)))
        XCTAssertTrue(html.stdout.contains("score.psnr"), String(html.stdout.prefix(400)))
        XCTAssertEqual(html.stderr, "")
    }
}
