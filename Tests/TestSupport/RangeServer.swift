import Foundation

/// The local HTTP server the download tests fetch from (`range_server.py` beside this file: byte
/// ranges, ETags, injected failures), on 127.0.0.1 and a free port; never the network.
public final class RangeServer {
    public let process: Process
    /// The port it listens on.
    public let port: Int

    /// Starts serving `root`, logging requests to `log`; `extra` are the script's failure options.
    public init(root: URL, log: URL, extra: [String] = []) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("range_server.py")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--root", root.path, "--log", log.path] + extra
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = pipe.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = Int(text) else {
            process.terminate()
            throw RangeServerError(message: "range_server.py did not print its port (printed '\(text)')")
        }
        self.port = port
    }

    /// `http://127.0.0.1:PORT/PATH`.
    public func url(_ path: String = "") -> URL { URL(string: "http://127.0.0.1:\(port)/\(path)")! }

    /// Stops the server and waits for it.
    public func stop() {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
    }

    deinit { stop() }
}

public struct RangeServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
