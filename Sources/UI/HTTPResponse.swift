import Foundation

/// A response the live view sends: always complete, with its length, and the connection then closed.
package struct HTTPResponse: Sendable {
    /// A stored file sent as the body: the server sends it from the file in chunks, never whole in memory.
    package struct FileBody: Sendable, Equatable {
        package var path: String
        package var size: Int
        package init(path: String, size: Int) {
            self.path = path
            self.size = size
        }
    }

    package var status: Int
    package var contentType: String
    package var body: Data
    package var headers: [(String, String)] = []
    /// Sent instead of `body` when set.
    package var file: FileBody?
    /// `no-store` for everything that changes; content-addressed files are `immutable`.
    package var cacheControl = "no-store"

    /// For files under a fingerprint of the store: their bytes never change under that URL.
    package static let immutable = "private, max-age=31536000, immutable"

    package init(status: Int, contentType: String, body: Data, headers: [(String, String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    /// A stored file's bytes, sent from the file.
    package init(status: Int, contentType: String, file: FileBody, cacheControl: String) {
        self.init(status: status, contentType: contentType, body: Data())
        self.file = file
        self.cacheControl = cacheControl
    }

    /// A plain-text response, for errors.
    package static func text(_ status: Int, _ message: String) -> HTTPResponse {
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
    package func serialized(includeBody: Bool = true) -> Data {
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
