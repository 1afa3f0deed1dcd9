import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A raw HTTP/1.1 client over a socket: sends the target exactly as given (URLSession would
/// normalise `..` away, which the traversal tests must not have done for them).
public enum HTTPClient {
    public struct Reply {
        public var status: Int
        public var head: String
        public var body: Data
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public struct Failure: Error { public var message: String }

    /// Sends one request to `host` (an IPv4 or IPv6 address) and reads the answer to the end.
    /// `hostHeader` replaces the `Host` header (nil: `host:port`; "" leaves it out); `headers` are
    /// added as given (`Name: value`).
    public static func request(port: Int, target: String, method: String = "GET", host: String = "127.0.0.1",
                               hostHeader: String? = nil, headers: [String] = []) throws -> Reply {
        let fd = try connect(host: host, port: port)
        defer { close(fd) }
        let authority = hostHeader ?? (host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
        let lines = (authority.isEmpty ? [] : ["Host: \(authority)"]) + headers
        let request = "\(method) \(target) HTTP/1.1\r\n" + lines.map { $0 + "\r\n" }.joined() + "\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        guard let split = data.range(of: Data("\r\n\r\n".utf8)) else { throw Failure(message: "no response head: \(data.count) bytes") }
        let head = String(decoding: data[..<split.lowerBound], as: UTF8.self)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return Reply(status: status, head: head, body: Data(data[split.upperBound...]))
    }

    /// A connected TCP socket to `host:port` (IPv4 or IPv6).
    public static func connect(host: String, port: Int) throws -> Int32 {
        let v6 = host.contains(":")
        let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(message: "socket: \(String(cString: strerror(errno)))") }
        var storage = sockaddr_storage()
        let length: socklen_t
        if v6 {
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutableBytes(of: &storage) { raw in
                let a = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
                a.pointee.sin6_family = sa_family_t(AF_INET6)
                a.pointee.sin6_port = in_port_t(UInt16(port).bigEndian)
                inet_pton(AF_INET6, host, &a.pointee.sin6_addr)
            }
        } else {
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutableBytes(of: &storage) { raw in
                let a = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
                a.pointee.sin_family = sa_family_t(AF_INET)
                a.pointee.sin_port = in_port_t(UInt16(port).bigEndian)
                inet_pton(AF_INET, host, &a.pointee.sin_addr)
            }
        }
        let connected = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) } }
        guard connected == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw Failure(message: "connect: \(message)")
        }
        return fd
    }
}
