import Foundation
import XCTest

/// The mistakes of issue 32: every file in Fixtures/mistakes holds several at once (or one that
/// used to cascade). Each starts with `# expect: LINE:COL message` lines, one per problem, and a
/// `# footer:` line (`…` in a message stands for the workspace's path); `status`, `run --dry-run` and `run` must all exit 2 before any stage runs,
/// reporting exactly those problems, each at its line and column.
final class SpecMistakeTests: XCTestCase {
    func testEveryMistakeInASpecIsReportedAtOnceBeforeAnythingRuns() throws {
        let folder = CLIHarness.fixtures.appendingPathComponent("mistakes")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 10)
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        for name in files {
            let url = folder.appendingPathComponent(name)
            let header = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").prefix { $0.hasPrefix("#") }
            let expected = header.filter { $0.hasPrefix("# expect: ") }.map { $0.dropFirst("# expect: ".count) }
            let footer = try XCTUnwrap(header.first { $0.hasPrefix("# footer: ") }?.dropFirst("# footer: ".count), name)
            XCTAssertFalse(expected.isEmpty, name)
            for command in [["status"], ["run", "--dry-run"], ["run"]] {
                let result = try cli.run(command + [url.path])
                let label = "\(name) (\(command.joined(separator: " ")))"
                XCTAssertEqual(result.status, 2, "\(label): \(result.stderr)")
                for expectation in expected {
                    let location = String(expectation.prefix { $0 != " " })
                    let message = String(expectation.dropFirst(location.count + 1))
                    let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("\(url.path):\(location): error: ") }
                    // `…` in a message stands for text that depends on the machine (the workspace's path).
                    let parts = message.components(separatedBy: "…")
                    XCTAssertTrue(lines.contains { line in parts.allSatisfy { line.contains($0) } },
                                  "\(label): expected \(location) \(message) in:\n\(result.stderr)")
                }
                let errors = result.stderr.split(separator: "\n").filter { $0.contains(": error: ") }
                XCTAssertEqual(errors.count, expected.count, "\(label): every problem once, nothing cascading:\n\(result.stderr)")
                XCTAssertTrue(result.stderr.hasSuffix(footer + "\n"), "\(label): expected the footer '\(footer)' in:\n\(result.stderr)")
                XCTAssertFalse(result.stderr.contains("Fatal error"), label)
            }
        }
        let objects = cli.workspace.appendingPathComponent("artifacts/objects").path
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: objects)) ?? [], [], "a stage ran before its spec was clean")
    }

    func testASetOfAnUnknownVariableIsReportedAtTheArgument() throws {
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        let spec = cli.workspace.appendingPathComponent("mini.yaml")
        try """
        experiment: mini
        vars: {iters: 10}
        stages:
          a: {kind: cmd, cmd: "echo ${iters} > ${outputs.o}", outputs: {o: file}}
        """.write(to: spec, atomically: true, encoding: .utf8)
        let result = try cli.run(["status", spec.path, "--set", "iter=30"])
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertTrue(result.stderr.hasPrefix("--set iter=30: error: no variable 'iter' in \(spec.path) (did you mean 'iters'?)"), result.stderr)
        XCTAssertFalse(result.stderr.contains(":0:0"), result.stderr)
    }

    /// A `cmd` stage that declares no `metric_names:` cannot be checked: a comparison on it draws a
    /// warning and the experiment still runs; once declared, a name it does not list is an error.
    func testACommandWithoutDeclaredMetricNamesDrawsAWarningNotAnError() throws {
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        let spec = cli.workspace.appendingPathComponent("mini.yaml")
        let text = """
        experiment: mini
        stages:
          score:
            kind: cmd
            cmd: "echo '{\\"psnr\\": 1}' > ${metrics}; touch ${outputs.o}"
            outputs: {o: file}
            metrics: scores.json
        tables:
          t: {rows: {Ours: score}, columns: {metrics: [psnr]}}
        """
        try text.write(to: spec, atomically: true, encoding: .utf8)
        let ran = try cli.run(["run", spec.path])
        XCTAssertEqual(ran.status, 0, ran.stderr)
        XCTAssertTrue(ran.stderr.contains("\(spec.path):9:48: warning: tables.t.columns.metrics[0]: cannot check 'psnr': "
                                          + "the cmd stage 'score' declares no `metric_names:`"), ran.stderr)
        try text.replacingOccurrences(of: "metrics: scores.json", with: "metrics: scores.json\n    metric_names: [ssim]")
            .write(to: spec, atomically: true, encoding: .utf8)
        let checked = try cli.run(["status", spec.path])
        XCTAssertEqual(checked.status, 2, checked.stderr)
        XCTAssertTrue(checked.stderr.contains("\(spec.path):10:48: error: tables.t.columns.metrics[0]: stage 'score' records no metric 'psnr' (it records: ssim)"),
                      checked.stderr)
    }
}
