import Foundation
import TestSupport
import XCTest

/// Runs the built `pleinair` executable as a user would.
struct CLIHarness {
    let workspace: URL

    init() throws {
        workspace = TemporaryFolder.url("pleinair-cli")
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
    }

    func cleanUp() {
        if let walker = FileManager.default.enumerator(atPath: workspace.path) {
            for case let p as String in walker { chmod(workspace.appendingPathComponent(p).path, 0o755) }
        }
        try? FileManager.default.removeItem(at: workspace)
    }

    /// The executable built beside this test bundle.
    static var executable: URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("pleinair"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("pleinair"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/pleinair"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    static var fixtures: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Starts `pleinair ARGS` in the workspace without waiting, with `environment` added to this process's.
    func start(_ args: [String], environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = CLIHarness.executable
        process.arguments = args + ["--workspace", workspace.path]
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.currentDirectoryURL = workspace
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }

    /// Runs `pleinair ARGS` to completion.
    @discardableResult
    func run(_ args: [String], environment: [String: String] = [:]) throws -> Result {
        let (process, out, err) = try start(args, environment: environment)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    func write(_ name: String, _ text: String) throws {
        let url = workspace.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// Waits until `condition` holds, up to `seconds`.
    func waitFor(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }
}

extension CLIHarness {
    /// `pleinair ARGS` for commands that take no workspace.
    func runWithoutWorkspace(_ args: [String]) throws -> CLIHarness.Result {
        let process = Process()
        process.executableURL = CLIHarness.executable
        process.arguments = args
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIHarness.Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                                 stderr: String(decoding: stderr, as: UTF8.self))
    }
}
