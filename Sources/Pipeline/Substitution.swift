/// Replaces `${name}` and `${matrix.axis}` in spec strings; `$${` writes a literal `${`.
///
/// `${inputs.*}`, `${outputs.*}`, `${params.*}` and `${metrics}` are left for the `cmd` stage to fill in when it runs.
struct Substitution {
    var vars: [String: String]
    var matrix: [String: String]
    /// Keep `$${` as written (for `cmd`, whose own expansion turns it into a literal `${` later).
    var keepEscapes = false

    static let deferredPrefixes = ["inputs.", "outputs.", "params."]

    /// The substituted text, or the name of the first undefined reference.
    func apply(_ text: String) -> Result<String, SubstitutionFailure> {
        guard Substring(text).firstReference() != nil else { return .success(text) }
        var out = ""
        var rest = Substring(text)
        while let start = rest.firstReference() {
            let before = rest[rest.startIndex..<start.lowerBound]
            if before.hasSuffix("$") {
                out += (keepEscapes ? before : before.dropLast()) + "${"
                rest = rest[start.upperBound...]
                continue
            }
            out += before
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                return .failure(.unterminated)
            }
            let name = String(rest[start.upperBound..<end])
            if let value = lookup(name) {
                out += value
            } else if name == "metrics" || Substitution.deferredPrefixes.contains(where: name.hasPrefix) {
                out += "${\(name)}"
            } else {
                return .failure(.undefined(name))
            }
            rest = rest[rest.index(after: end)...]
        }
        return .success(out + rest)
    }

    private func lookup(_ name: String) -> String? {
        if name.hasPrefix("matrix.") { return matrix[String(name.dropFirst(7))] }
        return vars[name]
    }
}

enum SubstitutionFailure: Error {
    case undefined(String)
    case unterminated
}

extension Substring {
    /// Where the first `${` is, found byte by byte: Foundation's `range(of:)` goes through NSString,
    /// and expanding a 10,000-instance matrix asks this of every substituted string.
    func firstReference() -> Range<String.Index>? {
        var previousWasDollar = false
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if previousWasDollar && byte == UInt8(ascii: "{") { return utf8.index(before: index)..<utf8.index(after: index) }
            previousWasDollar = byte == UInt8(ascii: "$")
            utf8.formIndex(after: &index)
        }
        return nil
    }
}
