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

/// The committed experiments validate and plan on any machine, even without their data.
final class ExperimentFilesTests: XCTestCase {
    func testEveryCommittedExperimentPlansWithADryRun() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("experiments")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertTrue(files.contains("art2real.yaml") && files.contains("demo.yaml"))
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        for file in files {
            let result = try cli.run(["run", folder.appendingPathComponent(file).path, "--dry-run"])
            XCTAssertEqual(result.status, 0, "\(file): \(result.stderr)")
            XCTAssertTrue(result.stdout.contains("stages would run"), file)
        }
    }
}
