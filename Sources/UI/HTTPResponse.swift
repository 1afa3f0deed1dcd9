import Foundation

/// A response the live view sends: always complete, with its length, and the connection then closed.
public struct HTTPResponse: Sendable {
    /// A stored file sent as the body: the server sends it from the file in chunks, never whole in memory.
    public struct FileBody: Sendable, Equatable {
        public var path: String
        public var size: Int
        public init(path: String, size: Int) {
            self.path = path
            self.size = size
        }
    }

    public var status: Int
    public var contentType: String
    public var body: Data
    public var headers: [(String, String)] = []
    /// Sent instead of `body` when set.
    public var file: FileBody?
    /// `no-store` for everything that changes; content-addressed files are `immutable`.
    public var cacheControl = "no-store"

    /// For files under a fingerprint of the store: their bytes never change under that URL.
    public static let immutable = "private, max-age=31536000, immutable"

    public init(status: Int, contentType: String, body: Data, headers: [(String, String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    /// A stored file's bytes, sent from the file.
    public init(status: Int, contentType: String, file: FileBody, cacheControl: String) {
        self.init(status: status, contentType: contentType, body: Data())
        self.file = file
        self.cacheControl = cacheControl
    }

    /// A plain-text response, for errors.
    public static func text(_ status: Int, _ message: String) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/plain; charset=utf-8", body: Data((message + "\n").utf8))
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }

    /// The bytes on the wire (a file body is not among them: the server sends it). Every response forbids sniffing, framing and referrers (the token is in
    /// the URL) and allows only the embedded assets to run.
    public func serialized(includeBody: Bool = true) -> Data {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        head += "Content-Type: \(contentType)\r\nContent-Length: \(file?.size ?? body.count)\r\nConnection: close\r\n"
        head += "Cache-Control: \(cacheControl)\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n"
        head += "X-Frame-Options: DENY\r\n"
        head += "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        var data = Data(head.utf8)
        if includeBody && file == nil { data.append(body) }
        return data
    }
}
