import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why the live view's listener could not start.
public struct HTTPServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// A small blocking HTTP/1.1 server over POSIX sockets: one request per connection, GET and HEAD only,
/// each connection handled on a concurrent queue. Enough for a local, read-only view, and it adds no
/// package to the build (SwiftNIO would add minutes to every fresh build for features unused here).
public final class HTTPServer: @unchecked Sendable {
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    private let listener: Int32
    /// The port bound (the one asked for, or the one the system chose for port 0).
    public let port: Int
    public let host: String
    private let handler: Handler
    private let queue = DispatchQueue(label: "pleinair.ui.connections", attributes: .concurrent)
    /// At most this many connections are served at once; the rest wait in the listen backlog.
    private let slots = DispatchSemaphore(value: 64)
    private let lock = NSLock()
    private var stopped = false

    /// Binds `host:port` (an IPv4 address; port 0 picks a free one) and starts accepting on a thread.
    public init(host: String, port: Int, handler: @escaping Handler) throws {
        self.host = host
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPServerError(message: "cannot create a socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(fd)
            throw HTTPServerError(message: "--host takes an IPv4 address such as 127.0.0.1, got '\(host)'")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw HTTPServerError(message: "cannot listen on \(host):\(port): \(message)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        listener = fd
        let thread = Thread { self.acceptLoop() }  // the server lives as long as the process serves
        thread.name = "pleinair-ui-accept"
        thread.start()
    }

    /// Whether `host` is a loopback address (127.0.0.0/8), the only kind served without a warning.
    public static func isLoopback(_ host: String) -> Bool {
        var address = in_addr()
        guard inet_pton(AF_INET, host, &address) == 1 else { return false }
        return UInt32(bigEndian: address.s_addr) >> 24 == 127
    }

    /// Stops accepting; connections in flight finish.
    public func stop() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        lock.unlock()
        if !wasStopped { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }
    }

    private var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

    private func acceptLoop() {
        while !isStopped {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                if isStopped { return }
                usleep(10_000)
                continue
            }
            slots.wait()
            queue.async { [self] in
                defer { slots.signal() }
                serve(client)
            }
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        // A client that sends nothing, or trickles, is dropped after 5 s instead of holding a slot.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var head = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        let terminator = Data("\r\n\r\n".utf8)
        while head.range(of: terminator) == nil {
            let n = read(client, &buffer, buffer.count)
            if n <= 0 { return }
            head.append(contentsOf: buffer[0..<n])
            if head.count > HTTPRequest.maxHeadBytes {
                send(client, HTTPResponse.text(431, "request head too large"))
                return
            }
        }
        let end = head.range(of: terminator)!.upperBound
        guard let request = HTTPRequest.parse(head[head.startIndex..<end]) else {
            send(client, HTTPResponse.text(400, "malformed request"))
            return
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            var response = HTTPResponse.text(405, "the live view is read-only: GET only")
            response.headers.append(("Allow", "GET, HEAD"))
            send(client, response)
            return
        }
        send(client, handler(request), includeBody: request.method == "GET")
    }

    private func send(_ client: Int32, _ response: HTTPResponse, includeBody: Bool = true) {
        let data = response.serialized(includeBody: includeBody)
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.send(client, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n <= 0 { return }
                offset += n
            }
        }
    }
}
