import Foundation
import TestSupport
import XCTest

/// `pleinair ui` as a user starts it: loopback and a token by default, a warning otherwise.
final class UICommandTests: XCTestCase {
    var cli: CLIHarness!

    override func setUpWithError() throws { cli = try CLIHarness() }
    override func tearDown() { cli.cleanUp() }

    func status(port: Int, target: String) -> Int? {
        try? HTTPClient.request(port: port, target: target).status
    }

    func testByDefaultItServesLoopbackOnlyWithARandomToken() throws {
        let (process, url) = try cli.startUI([])
        defer { process.terminate(); process.waitUntilExit() }
        XCTAssertEqual(url.host, "127.0.0.1")
        let token = try XCTUnwrap(url.queryItems?.first { $0.name == "token" }?.value)
        XCTAssertEqual(token.count, 32)
        let port = try XCTUnwrap(url.port)
        XCTAssertEqual(status(port: port, target: "/"), 401)
        XCTAssertEqual(status(port: port, target: "/?token=\(token)"), 200)
        XCTAssertEqual(status(port: port, target: "/api/experiments?token=\(token)"), 404, "no ledger yet, and none created")
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.workspace.appendingPathComponent("artifacts").path),
                       "the view creates nothing in the workspace")
    }

    func testBuiltInKindsGetTheirResultsTableAndImagesTheirThumbnails() throws {
        try cli.write("scenes.yaml", """
            experiment: scenes
            stages:
              scenes:
                kind: demo_scenes
                params: {train_count: 1, test_count: 2, size: 192, seed: 3, styles: [impressionist]}

            """)
        XCTAssertEqual(try cli.run(["run", "scenes.yaml"]).status, 0)
        let (process, url) = try cli.startUI([])
        defer { process.terminate(); process.waitUntilExit() }
        let port = try XCTUnwrap(url.port)
        let token = try XCTUnwrap(url.queryItems?.first { $0.name == "token" }?.value)
        let (status, results) = cli.getFromUI(port: port, "/api/results?run=1&token=\(token)")
        XCTAssertEqual(status, 200, String(decoding: results, as: UTF8.self))
        struct Images: Decodable {
            struct Column: Decodable { var fingerprint: String; var output: String }
            var columns: [Column]
            var rows: [String]
        }
        let (_, body) = cli.getFromUI(port: port, "/api/images?run=1&token=\(token)")
        let images = try JSONDecoder().decode(Images.self, from: body)
        let column = try XCTUnwrap(images.columns.first)
        let file = try XCTUnwrap(images.rows.first)
        let (thumbStatus, thumbnail) = cli.getFromUI(port: port, "/thumbs/\(column.fingerprint)/\(column.output)/\(file)?token=\(token)")
        XCTAssertEqual(thumbStatus, 200)
        XCTAssertEqual(thumbnail.prefix(4), Data([0x89, 0x50, 0x4E, 0x47]), "a PNG")
        let width = thumbnail.count > 24 ? thumbnail[16..<20].reduce(0) { $0 << 8 | Int($1) } : 0
        XCTAssertEqual(width, 160, "the longer side scaled to 160 px")
        let (_, original) = cli.getFromUI(port: port, "/files/\(column.fingerprint)/\(column.output)/\(file)?token=\(token)")
        XCTAssertGreaterThan(original.count, thumbnail.count)
    }

    func testAnotherHostIsServedWithAWarning() throws {
        let (process, out, err) = try cli.start(["ui", "--port", "0", "--host", "0.0.0.0"])
        var text = ""
        let deadline = Date().addingTimeInterval(20)
        while !text.contains("warning:"), Date() < deadline, process.isRunning {
            text += String(decoding: err.fileHandleForReading.availableData, as: UTF8.self)
        }
        process.terminate()
        process.waitUntilExit()
        _ = out
        XCTAssertTrue(text.contains("warning: --host 0.0.0.0 is not loopback"), text)
    }

    func testAHostThatIsNotAnAddressIsAUsageError() throws {
        let result = try cli.run(["ui", "--port", "0", "--host", "example.org"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("--host takes an IP address"), result.stderr)
    }
}
