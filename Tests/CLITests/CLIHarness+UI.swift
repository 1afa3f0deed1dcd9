import Foundation
import TestSupport

/// `pleinair ui` started from the harness, and requests to it over a raw socket.
extension CLIHarness {
    struct NoURL: Error { var printed: String }

    /// Starts `pleinair ui ARGS` and returns it with the URL it printed.
    func startUI(_ args: [String]) throws -> (Process, URLComponents) {
        let (process, out, err) = try start(["ui", "--port", "0"] + args)
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

    /// Status and body of `GET target` on the view; status 0 where it could not be reached.
    func getFromUI(port: Int, _ target: String) -> (Int, Data) {
        guard let reply = try? HTTPClient.request(port: port, target: target) else { return (0, Data()) }
        return (reply.status, reply.body)
    }
}
