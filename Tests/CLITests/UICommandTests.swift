import Foundation
import XCTest

/// `pleinair ui` as a user starts it: loopback and a token by default, a warning otherwise.
final class UICommandTests: XCTestCase {
    var cli: CLIHarness!

    override func setUpWithError() throws { cli = try CLIHarness() }
    override func tearDown() { cli.cleanUp() }

    struct NoURL: Error { var printed: String }

    /// Starts `pleinair ui ARGS` and returns it with the URL it printed.
    func start(_ args: [String]) throws -> (Process, URLComponents) {
        let (process, out, err) = try cli.start(["ui", "--port", "0"] + args)
        var text = ""
        let deadline = Date().addingTimeInterval(20)
        while !text.contains("?token=") || !text.hasSuffix("\n"), Date() < deadline, process.isRunning {
            text += String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first(where: { $0.contains("?token=") }),
              let components = URLComponents(string: line.trimmingCharacters(in: .whitespaces)) else {
            process.terminate()
            throw NoURL(printed: text + String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
        return (process, components)
    }

    func status(port: Int, host: String = "127.0.0.1", target: String) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let request = "GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 12 else { return nil }
        return Int(String(decoding: buffer[9..<12], as: UTF8.self))
    }

    func testByDefaultItServesLoopbackOnlyWithARandomToken() throws {
        let (process, url) = try start([])
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
        XCTAssertTrue(result.stderr.contains("--host takes an IPv4 address"), result.stderr)
    }
}
