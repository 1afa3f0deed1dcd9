import Foundation

/// One HTTP/1.1 request head, as the live view reads it: method, decoded path segments and query.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    /// The path as sent, before decoding (`/files/a%2Fb`).
    public var rawPath: String
    /// The path's segments, each percent-decoded once (`["files", "a/b"]`); empty segments dropped.
    public var segments: [String]
    public var query: [String: String]
    /// Header names lowercased.
    public var headers: [String: String]

    /// The largest request head accepted; the view only serves GETs, which need little.
    public static let maxHeadBytes = 16 * 1024

    /// Parses a request head (up to and including the blank line). Returns nil for anything malformed,
    /// including a path whose decoding fails or yields a NUL byte.
    public static func parse(_ head: Data) -> HTTPRequest? {
        guard head.count <= maxHeadBytes, let text = String(data: head, encoding: .utf8) else { return nil }
        var lines = text.components(separatedBy: "\r\n")
        guard !lines.isEmpty else { return nil }
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1."), requestLine[1].hasPrefix("/") else { return nil }
        let method = String(requestLine[0]), target = String(requestLine[1])
        var headers: [String: String] = [:]
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
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
