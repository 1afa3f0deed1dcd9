import Foundation

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

    /// Status and body of `GET target` on the view.
    func getFromUI(port: Int, _ target: String) -> (Int, Data) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return (0, Data()) }
        _ = "GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n".withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        guard let split = data.range(of: Data("\r\n\r\n".utf8)), data.count > 12 else { return (0, Data()) }
        return (Int(String(decoding: data[9..<12], as: UTF8.self)) ?? 0, Data(data[split.upperBound...]))
    }
}
