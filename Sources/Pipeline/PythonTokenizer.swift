/// A token of Python source, as far as finding imports needs: names (keywords included),
/// dots, brackets, a few punctuation marks, string literals and statement boundaries.
enum PythonToken: Equatable {
    case name(String)
    case dot
    case open(Character)
    case close(Character)
    case punct(Character)
    /// A string literal: its text when it is a plain one-piece literal without escapes, else nil.
    case string(String?)
    /// A number or an operator imports do not need.
    case other
    /// The end of a logical line, a `;`, or a `:` outside brackets: where a statement may begin.
    case boundary
}

/// Splits Python source into `PythonToken`s: comments skipped, strings (prefixed, raw, triple-quoted)
/// read whole, newlines inside brackets and after a backslash joined, as Python's own tokenizer does.
/// An f-string holding quotes of its own kind (Python 3.12) ends early; what follows on that line
/// may read wrong, never further.
struct PythonTokenizer {
    private let bytes: [UInt8]
    private var i = 0
    private var depth = 0
    private var out: [PythonToken] = []

    private init(_ source: [UInt8]) { bytes = source }

    /// The tokens of `source`.
    static func tokens(_ source: [UInt8]) -> [PythonToken] {
        var tokenizer = PythonTokenizer(source)
        tokenizer.run()
        return tokenizer.out
    }

    private mutating func run() {
        while i < bytes.count {
            let c = bytes[i]
            switch c {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), 0x0C:
                i += 1
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                i += 1
                if depth == 0 { boundary() }
            case UInt8(ascii: "#"):
                while i < bytes.count, bytes[i] != UInt8(ascii: "\n"), bytes[i] != UInt8(ascii: "\r") { i += 1 }
            case UInt8(ascii: "\\"):
                // A continuation joins the next line; a stray backslash is skipped.
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "\r") { i += 1 }
                if i < bytes.count, bytes[i] == UInt8(ascii: "\n") { i += 1 }
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                out.append(.string(readString(prefix: "")))
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                out.append(.open(Character(UnicodeScalar(c))))
                i += 1
            case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth = max(0, depth - 1)
                out.append(.close(Character(UnicodeScalar(c))))
                i += 1
            case UInt8(ascii: "."):
                if i + 1 < bytes.count, isDigit(bytes[i + 1]) {
                    readNumber()
                } else {
                    out.append(.dot)
                    i += 1
                }
            case UInt8(ascii: ";"):
                i += 1
                boundary()
            case UInt8(ascii: ":"):
                i += 1
                if depth == 0 { boundary() } else { out.append(.punct(":")) }
            case UInt8(ascii: ","), UInt8(ascii: "*"):
                out.append(.punct(Character(UnicodeScalar(c))))
                i += 1
            default:
                if isDigit(c) {
                    readNumber()
                } else if isNameStart(c) {
                    readName()
                } else {
                    out.append(.other)
                    i += 1
                }
            }
        }
    }

    private mutating func boundary() {
        if out.last != .boundary { out.append(.boundary) }
    }

    private mutating func readName() {
        let start = i
        while i < bytes.count, isNameStart(bytes[i]) || isDigit(bytes[i]) { i += 1 }
        let name = String(decoding: bytes[start..<i], as: UTF8.self)
        if i < bytes.count, bytes[i] == UInt8(ascii: "'") || bytes[i] == UInt8(ascii: "\""), name.count <= 2,
           name.lowercased().allSatisfy({ "rbuft".contains($0) }) {
            out.append(.string(readString(prefix: name.lowercased())))
        } else {
            out.append(.name(name))
        }
    }

    private mutating func readNumber() {
        while i < bytes.count, isDigit(bytes[i]) || isNameStart(bytes[i]) || bytes[i] == UInt8(ascii: ".") { i += 1 }
        out.append(.other)
    }

    /// Reads a string literal starting at its opening quote; returns its text when it is a plain literal.
    private mutating func readString(prefix: String) -> String? {
        let quote = bytes[i]
        let triple = i + 2 < bytes.count && bytes[i + 1] == quote && bytes[i + 2] == quote
        i += triple ? 3 : 1
        let start = i
        var escaped = false
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\\") {
                escaped = true
                i += 2
                continue
            }
            if !triple, c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") { return nil }  // unterminated: the line ends it
            if c == quote {
                if !triple {
                    i += 1
                    return escaped || prefix.contains("f") || prefix.contains("t") ? nil : String(decoding: bytes[start..<(i - 1)], as: UTF8.self)
                }
                if i + 2 < bytes.count, bytes[i + 1] == quote, bytes[i + 2] == quote {
                    i += 3
                    return nil
                }
            }
            i += 1
        }
        i = bytes.count
        return nil
    }

    private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private func isNameStart(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || c == UInt8(ascii: "_") || c >= 0x80
    }
}
