import Foundation
import XCTest

/// Every file in Fixtures/malformed starts with `# expect: LINE:COL message`.
final class MalformedSpecTests: XCTestCase {
    func testEveryMalformedSpecExitsWithCodeTwoNamingItsLineAndColumn() throws {
        let folder = CLIHarness.fixtures.appendingPathComponent("malformed")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 30)
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
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
    }

    func testAMissingSpecFileIsAnErrorNamingIt() throws {
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        let result = try cli.run(["status", "/nonexistent/experiment.yaml"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("/nonexistent/experiment.yaml"), result.stderr)
    }
}
