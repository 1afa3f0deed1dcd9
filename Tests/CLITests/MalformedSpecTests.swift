import Foundation
import XCTest

/// Every file in Fixtures/malformed and Fixtures/bad-params starts with `# expect: LINE:COL message`.
final class MalformedSpecTests: XCTestCase {
    func testEveryMalformedSpecExitsWithCodeTwoNamingItsLineAndColumn() throws {
        try assertEveryFileFails(in: "malformed", atLeast: 30).cleanUp()
    }

    /// Bad stage parameters (types, ranges, cross-field rules, inputs a setting needs) across the
    /// built-in kinds fail when the spec loads: exit 2, line and column, and the upstream
    /// `demo_scenes` stage of each spec never runs.
    func testEveryBadParameterFailsAtLoadTimeBeforeAnyStageRuns() throws {
        let cli = try assertEveryFileFails(in: "bad-params", atLeast: 20)
        defer { cli.cleanUp() }
        let objects = cli.workspace.appendingPathComponent("artifacts/objects").path
        let stored = (try? FileManager.default.contentsOfDirectory(atPath: objects)) ?? []
        XCTAssertEqual(stored, [], "a stage ran before the bad parameter was reported")
    }

    @discardableResult
    private func assertEveryFileFails(in fixtures: String, atLeast minimum: Int) throws -> CLIHarness {
        let folder = CLIHarness.fixtures.appendingPathComponent(fixtures)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, minimum)
        let cli = try CLIHarness()
        for name in files {
            let url = folder.appendingPathComponent(name)
            let firstLine = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)[0]
            let expectation = firstLine.replacingOccurrences(of: "# expect: ", with: "")
            let location = String(expectation.prefix { $0 != " " })
            let message = String(expectation.dropFirst(location.count + 1))
            for command in ["status", "run"] {
                let result = try cli.run([command, url.path])
                XCTAssertEqual(result.status, 2, "\(name) (\(command)): \(result.stderr)")
                XCTAssertTrue(result.stderr.contains("\(url.path):\(location): error:"), "\(name): expected \(location) in:\n\(result.stderr)")
                XCTAssertTrue(result.stderr.contains(message), "\(name): expected '\(message)' in:\n\(result.stderr)")
                XCTAssertFalse(result.stderr.contains("Fatal error"), name)
            }
        }
        return cli
    }

    func testAMissingSpecFileIsAnErrorNamingIt() throws {
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        let result = try cli.run(["status", "/nonexistent/experiment.yaml"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("/nonexistent/experiment.yaml"), result.stderr)
    }
}
