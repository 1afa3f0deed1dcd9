import Foundation

/// One HTTP/1.1 request head, as the live view reads it: method, decoded path segments and query.
package struct HTTPRequest: Sendable, Equatable {
    package var method: String
    /// The path as sent, before decoding (`/files/a%2Fb`).
    package var rawPath: String
    /// The path's segments, each percent-decoded once (`["files", "a/b"]`); empty segments dropped.
    package var segments: [String]
    package var query: [String: String]
    /// Header names lowercased.
    package var headers: [String: String]

    /// The characters of a header name (RFC 9110 `token`).
    static let tokenCharacters = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".unicodeScalars)

    /// The largest request head accepted; the view only serves GETs, which need little.
    package static let maxHeadBytes = 16 * 1024

    /// Parses a request head (up to and including the blank line). Returns nil for anything malformed:
    /// a path whose decoding fails or yields a NUL byte, a header given twice, a request with a body.
    package static func parse(_ head: Data) -> HTTPRequest? {
        guard head.count <= maxHeadBytes, let text = String(data: head, encoding: .utf8) else { return nil }
        var lines = text.components(separatedBy: "\r\n")
        guard !lines.isEmpty else { return nil }
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1."), requestLine[1].hasPrefix("/") else { return nil }
        let method = String(requestLine[0]), target = String(requestLine[1])
        var headers: [String: String] = [:]
        for line in lines where !line.isEmpty {
            // A name is a token right up to the colon ("Host : x" and folded lines are how requests
            // are smuggled past a proxy); a name given twice is refused, never silently replaced.
            guard let colon = line.firstIndex(of: ":"), colon > line.startIndex,
                  line[..<colon].unicodeScalars.allSatisfy({ tokenCharacters.contains($0) }) else { return nil }
            let name = line[..<colon].lowercased()
            guard headers[name] == nil else { return nil }
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        // The view takes no request bodies: a length other than 0, or a transfer coding, is a request
        // this server would misread (and both together conflict outright).
        if let length = headers["content-length"], length != "0" { return nil }
        if headers["transfer-encoding"] != nil { return nil }
        let pathPart: Substring, queryPart: Substring
        if let mark = target.firstIndex(of: "?") {
            pathPart = target[..<mark]; queryPart = target[target.index(after: mark)...]
        } else {
            pathPart = target[...]; queryPart = ""
        }
        var segments: [String] = []
        for raw in pathPart.split(separator: "/") {
            guard let decoded = String(raw).removingPercentEncoding, !decoded.contains("\0") else { return nil }
            segments.append(decoded)
        }
        var query: [String: String] = [:]
        for pair in queryPart.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let plus = { (s: Substring) in s.replacingOccurrences(of: "+", with: " ") }
            guard let name = plus(parts[0]).removingPercentEncoding,
                  let value = (parts.count > 1 ? plus(parts[1]) : "").removingPercentEncoding else { return nil }
            query[name] = value
        }
        return HTTPRequest(method: method, rawPath: String(pathPart), segments: segments, query: query, headers: headers)
    }
}
