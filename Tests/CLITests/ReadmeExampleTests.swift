import Foundation
import XCTest

/// The README's experiment examples must stay valid specs.
final class ReadmeExampleTests: XCTestCase {
    func testEveryYAMLExampleInTheReadmeValidates() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let blocks = readme.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        let experiments = blocks.filter { $0.hasPrefix("experiment:") }
        XCTAssertFalse(experiments.isEmpty)
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        for (i, text) in experiments.enumerated() {
            try cli.write("readme-\(i).yaml", text)
            let result = try cli.run(["status", "readme-\(i).yaml"])
            XCTAssertEqual(result.status, 0, result.stderr)
        }
    }
}
