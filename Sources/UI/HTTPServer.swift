import Basics
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why the live view's listener could not start.
package struct HTTPServerError: Error, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}

/// The live view's HTTP/1.1 server over POSIX sockets: GET and HEAD, one request per connection.
///
/// One thread multiplexes every connection with `poll()` over non-blocking sockets, so no client's
/// pace can hold a thread: a request head must arrive whole within `headSeconds` of the connection
/// (however slowly it trickles), a response that stops draining is dropped after `idleSeconds`, and
/// past `maxConnections` a new connection gets 503 at once. Complete requests run on a concurrent
/// queue; stored files are sent from the file in 256 KiB pieces, never read whole. While it answers,
/// the allocator's free pages go back to the system every `trimSeconds` (`FreePages`). It adds no
/// package to the build (docs/ui.md has the figures behind that choice).
package final class HTTPServer: @unchecked Sendable {
    package typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    /// How long a client may take, and how many may be connected at once.
    package struct Limits: Sendable {
        package var maxConnections: Int
        package var headSeconds: Double
        package var idleSeconds: Double
        /// At most this often, and only after answering, the allocator's free pages go back to the system
        /// (`FreePages`), so RSS follows what is in use rather than the high-water mark of every arena.
        package var trimSeconds: Double
        package init(maxConnections: Int = 512, headSeconds: Double = 5, idleSeconds: Double = 30, trimSeconds: Double = 5) {
            self.maxConnections = maxConnections
            self.headSeconds = headSeconds
            self.idleSeconds = idleSeconds
            self.trimSeconds = trimSeconds
        }
    }

    /// The port bound (the one asked for, or the one the system chose for port 0).
    package let port: Int
    package let host: String
    package let limits: Limits
    /// Whether the listener is on a loopback address, so that only loopback `Host` names are served.
    package let isLoopbackOnly: Bool
    private let listener: Int32
    private let wakeRead: Int32, wakeWrite: Int32
    private let handler: Handler
    private let workers = DispatchQueue(label: "pleinair.ui.handlers", attributes: .concurrent)
    private let lock = NSLock()
    private var stopped = false
    /// Answers the handlers have made, waiting for the loop to send them (guarded by `lock`).
    private var answered: [(Int32, Outgoing)] = []

    /// Binds `host:port` (an IPv4 or IPv6 address; port 0 picks a free one) and starts serving on a thread.
    package init(host: String, port: Int, limits: Limits = Limits(), handler: @escaping Handler) throws {
        self.host = host
        self.handler = handler
        self.limits = limits
        // Before any of its threads exist: each would otherwise get an arena of its own (up to 16 on
        // 2 cores), and RSS keeps the free space of all of them.
        FreePages.capArenas(2)
        var v4 = in_addr(), v6 = in6_addr()
        let family: Int32
        if inet_pton(AF_INET, host, &v4) == 1 { family = AF_INET } else if inet_pton(AF_INET6, host, &v6) == 1 { family = AF_INET6 } else {
            throw HTTPServerError(message: "--host takes an IP address such as 127.0.0.1 or ::1, got '\(host)'")
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPServerError(message: "cannot create a socket: \(errnoMessage())") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var storage = sockaddr_storage()
        let length: socklen_t
        if family == AF_INET {
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutableBytes(of: &storage) { raw in
                let a = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
                a.pointee.sin_family = sa_family_t(AF_INET)
                a.pointee.sin_port = in_port_t(UInt16(port).bigEndian)
                a.pointee.sin_addr = v4
            }
        } else {
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &yes, socklen_t(MemoryLayout<Int32>.size))
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutableBytes(of: &storage) { raw in
                let a = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
                a.pointee.sin6_family = sa_family_t(AF_INET6)
                a.pointee.sin6_port = in_port_t(UInt16(port).bigEndian)
                a.pointee.sin6_addr = v6
            }
        }
        let bound = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 511) == 0 else {
            let message = errnoMessage()
            close(fd)
            throw HTTPServerError(message: "cannot listen on \(host):\(port): \(message)")
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) } }
        self.port = withUnsafeBytes(of: &actual) { raw in
            family == AF_INET ? Int(UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port))
                : Int(UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port))
        }
        var pipe: [Int32] = [-1, -1]
        guard Glibc.pipe(&pipe) == 0 else {
            close(fd)
            throw HTTPServerError(message: "cannot create a pipe: \(errnoMessage())")
        }
        for end in pipe + [fd] {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        listener = fd
        wakeRead = pipe[0]
        wakeWrite = pipe[1]
        isLoopbackOnly = Self.isLoopback(host)
        Self.raiseDescriptorLimit(to: 4 * limits.maxConnections + 256)
        let thread = Thread { self.loop() }  // the server lives as long as the process serves
        thread.name = "pleinair-ui-loop"
        thread.start()
    }

    /// Whether `host` is a loopback address (127.0.0.0/8 or ::1), the only kind served without a warning.
    package static func isLoopback(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        guard inet_pton(AF_INET6, host, &v6) == 1 else { return false }
        return withUnsafeBytes(of: &v6) { $0.dropLast().allSatisfy { $0 == 0 } && $0.last == 1 }
    }

    /// `host:port` as a URL's authority (`[::1]:8765` for IPv6).
    package var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Stops serving: the loop closes the listener and every connection.
    package func stop() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        lock.unlock()
        if !wasStopped { wake() }
    }

    private var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// Whether a request's `Host` names this server by a loopback name with its port. When the server
    /// is bound to loopback, any other name means a page of another origin reached it (DNS rebinding).
    package func acceptsHost(_ value: String?) -> Bool {
        guard isLoopbackOnly else { return true }
        guard let value, let (name, port) = Self.splitAuthority(value) else { return false }
        guard port == self.port || (port == nil && self.port == 80) else { return false }
        return name.lowercased() == "localhost" || Self.isLoopback(name)
    }

    /// `name[:port]` or `[v6]:port`, split; nil when malformed.
    static func splitAuthority(_ value: String) -> (String, Int?)? {
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]") else { return nil }
            let name = String(value[value.index(after: value.startIndex)..<close])
            let rest = value[value.index(after: close)...]
            if rest.isEmpty { return (name, nil) }
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()) else { return nil }
            return (name, port)
        }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 1 { return (value, nil) }
        guard parts.count == 2, let port = Int(parts[1]) else { return nil }
        return (String(parts[0]), port)
    }

    // MARK: - The loop

    /// A response on its way out: the bytes of its head (and small body), then a file's bytes.
    struct Outgoing {
        var bytes: Data
        var file: Int32 = -1
        var fileLength = 0
    }

    final class Connection {
        enum State { case reading, handling, writing, draining }
        let fd: Int32
        var state = State.reading
        var head = Data()
        var deadline: Double
        var out = Outgoing(bytes: Data())
        var sent = 0
        /// The file's bytes read so far, and the piece of it being sent (`chunk[chunkSent..<chunkEnd]`).
        var fileOffset = 0
        var chunk: [UInt8] = []
        var chunkSent = 0, chunkEnd = 0
        /// Counted against `maxConnections` (a connection over the limit only gets its 503).
        let counted: Bool

        init(fd: Int32, deadline: Double, counted: Bool) {
            self.fd = fd
            self.deadline = deadline
            self.counted = counted
        }
    }

    /// A file is sent in pieces of this size: the memory a download holds, however large the file.
    static let chunkBytes = 256 << 10

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    private func loop() {
        var connections: [Int32: Connection] = [:]
        var counted = 0
        var acceptPausedUntil = 0.0
        var answeredSinceTrim = 0, lastTrim = Self.now()
        func finish(_ c: Connection) {
            if c.out.file >= 0 { close(c.out.file); c.out.file = -1 }
            close(c.fd)
            connections[c.fd] = nil
            if c.counted { counted -= 1 }
        }
        defer {
            for c in Array(connections.values) { finish(c) }
            close(listener)
            close(wakeRead)
            close(wakeWrite)
        }
        while !isStopped {
            var now = Self.now()
            var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            if now >= acceptPausedUntil { fds.append(pollfd(fd: listener, events: Int16(POLLIN), revents: 0)) }
            var nearest = now + 1
            for c in connections.values where c.state != .handling {
                fds.append(pollfd(fd: c.fd, events: Int16(c.state == .writing ? POLLOUT : POLLIN), revents: 0))
                nearest = min(nearest, c.deadline)
            }
            let timeout = Int32(max(0, min(1000, (nearest - now) * 1000 + 1)))
            let ready = poll(&fds, nfds_t(fds.count), now < acceptPausedUntil ? min(timeout, 100) : timeout)
            if ready < 0 && errno != EINTR { usleep(10_000) }
            now = Self.now()
            for p in fds where p.revents != 0 {
                if p.fd == wakeRead {
                    var sink = [UInt8](repeating: 0, count: 256)
                    while read(wakeRead, &sink, sink.count) > 0 {}
                    lock.lock()
                    let done = answered
                    answered = []
                    lock.unlock()
                    answeredSinceTrim += done.count
                    for (fd, outgoing) in done {
                        guard let c = connections[fd] else { if outgoing.file >= 0 { close(outgoing.file) }; continue }
                        c.out = outgoing
                        c.state = .writing
                        c.deadline = now + limits.idleSeconds
                        pump(c, now: now, finish: finish)
                    }
                } else if p.fd == listener {
                    while true {
                        let client = accept(listener, nil, nil)
                        if client < 0 {
                            if errno == EMFILE || errno == ENFILE { acceptPausedUntil = now + 0.1 }
                            if errno == EINTR || errno == ECONNABORTED { continue }
                            break
                        }
                        _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
                        _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                        let over = counted >= limits.maxConnections
                        if over && connections.count >= 2 * limits.maxConnections { close(client); continue }
                        let c = Connection(fd: client, deadline: now + limits.headSeconds, counted: !over)
                        connections[client] = c
                        if over {
                            respond(c, HTTPResponse.text(503, "the live view is serving \(limits.maxConnections) connections; try again"),
                                    includeBody: true, now: now, finish: finish)
                        } else {
                            counted += 1
                        }
                    }
                } else if let c = connections[p.fd] {
                    switch c.state {
                    case .reading: readHead(c, now: now, finish: finish)
                    case .writing: pump(c, now: now, finish: finish)
                    case .draining: drain(c, finish: finish)
                    case .handling: break
                    }
                }
            }
            if answeredSinceTrim > 0 && now - lastTrim >= limits.trimSeconds {
                // On a worker, so the loop never waits for it (it takes a few milliseconds).
                answeredSinceTrim = 0
                lastTrim = now
                workers.async { FreePages.release() }
            }
            for c in Array(connections.values) where c.state != .handling && now >= c.deadline {
                if c.state == .reading && !c.head.isEmpty {
                    // Best effort: the client learns why, if its buffer has room.
                    let bytes = HTTPResponse.text(408, "the request head took longer than \(Int(limits.headSeconds)) s").serialized()
                    _ = bytes.withUnsafeBytes { send(c.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                }
                finish(c)
            }
        }
    }

    /// Reads what has arrived of a request head; once it is whole, answers it or hands it to a worker.
    private func readHead(_ c: Connection, now: Double, finish: (Connection) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(c.fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { return finish(c) }
            if n < 0 { return }
            let searchFrom = max(0, c.head.count - 3)
            c.head.append(contentsOf: buffer[0..<n])
            if let end = c.head.range(of: Data("\r\n\r\n".utf8), in: searchFrom..<c.head.count) {
                return dispatch(c, head: c.head[..<end.upperBound], now: now, finish: finish)
            }
            if c.head.count > HTTPRequest.maxHeadBytes {
                return respond(c, HTTPResponse.text(431, "request head too large"), includeBody: true, now: now, finish: finish)
            }
        }
    }

    private func dispatch(_ c: Connection, head: Data, now: Double, finish: (Connection) -> Void) {
        guard let request = HTTPRequest.parse(head) else {
            return respond(c, HTTPResponse.text(400, "malformed request, or a header repeated or in conflict"), includeBody: true,
                           now: now, finish: finish)
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            var response = HTTPResponse.text(405, "the live view is read-only: GET only")
            response.headers.append(("Allow", "GET, HEAD"))
            return respond(c, response, includeBody: true, now: now, finish: finish)
        }
        guard request.headers["host"] != nil else {
            return respond(c, HTTPResponse.text(400, "a Host header is required"), includeBody: true, now: now, finish: finish)
        }
        guard acceptsHost(request.headers["host"]) else {
            return respond(c, HTTPResponse.text(403, "this view answers only to a loopback name with its port, such as localhost:\(port)"),
                           includeBody: request.method == "GET", now: now, finish: finish)
        }
        c.state = .handling
        let fd = c.fd, includeBody = request.method == "GET"
        workers.async { [self] in
            let outgoing = Self.prepare(handler(request), includeBody: includeBody)
            lock.lock()
            answered.append((fd, outgoing))
            lock.unlock()
            wake()
        }
    }

    /// The bytes to send for `response`; a file body is only opened here (the loop reads it piece by piece).
    static func prepare(_ response: HTTPResponse, includeBody: Bool) -> Outgoing {
        guard let file = response.file else { return Outgoing(bytes: response.serialized(includeBody: includeBody)) }
        let fd = open(file.path, O_RDONLY | O_CLOEXEC)
        var info = stat()
        guard fd >= 0, fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            if fd >= 0 { close(fd) }
            return Outgoing(bytes: HTTPResponse.text(404, "not a file").serialized(includeBody: includeBody))
        }
        var sized = response
        sized.file?.size = Int(info.st_size)
        guard includeBody else {
            close(fd)
            return Outgoing(bytes: sized.serialized(includeBody: false))
        }
        return Outgoing(bytes: sized.serialized(includeBody: false), file: fd, fileLength: Int(info.st_size))
    }

    private func respond(_ c: Connection, _ response: HTTPResponse, includeBody: Bool, now: Double, finish: (Connection) -> Void) {
        c.out = Outgoing(bytes: response.serialized(includeBody: includeBody))
        c.state = .writing
        c.deadline = now + limits.idleSeconds
        pump(c, now: now, finish: finish)
    }

    /// Sends as much of the response as the socket takes now; when all is sent, half-closes and drains.
    private func pump(_ c: Connection, now: Double, finish: (Connection) -> Void) {
        while true {
            if c.sent < c.out.bytes.count {
                let n = c.out.bytes.withUnsafeBytes { raw in
                    send(c.fd, raw.baseAddress! + c.sent, raw.count - c.sent, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                }
                if n > 0 { c.sent += n; c.deadline = now + limits.idleSeconds; continue }
            } else if c.out.file >= 0 && (c.chunkSent < c.chunkEnd || c.fileOffset < c.out.fileLength) {
                if c.chunkSent == c.chunkEnd {
                    // The next piece of the file; a read that comes up short means the file shrank under us.
                    if c.chunk.isEmpty { c.chunk = [UInt8](repeating: 0, count: Self.chunkBytes) }
                    let want = min(Self.chunkBytes, c.out.fileLength - c.fileOffset)
                    let got = c.chunk.withUnsafeMutableBytes { pread(c.out.file, $0.baseAddress, want, off_t(c.fileOffset)) }
                    guard got == want else { return finish(c) }
                    c.fileOffset += got
                    c.chunkSent = 0
                    c.chunkEnd = got
                }
                let n = c.chunk.withUnsafeBytes { raw in
                    send(c.fd, raw.baseAddress! + c.chunkSent, c.chunkEnd - c.chunkSent, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                }
                if n > 0 { c.chunkSent += n; c.deadline = now + limits.idleSeconds; continue }
            } else {
                // All sent. Half-close and read until the client closes, so that request bytes still
                // arriving do not make the kernel reset the connection before the client has read the answer.
                if c.out.file >= 0 { close(c.out.file); c.out.file = -1 }
                shutdown(c.fd, Int32(SHUT_WR))
                c.state = .draining
                c.deadline = now + 2
                return
            }
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return }
            return finish(c)
        }
    }

    private func drain(_ c: Connection, finish: (Connection) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(c.fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n > 0 { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { return }
            return finish(c)
        }
    }

    /// Lets this process hold enough descriptors for the connection limit (the soft limit is often 1,024).
    static func raiseDescriptorLimit(to wanted: Int) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < rlim_t(wanted) else { return }
        limit.rlim_cur = min(limit.rlim_max, rlim_t(wanted))
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
