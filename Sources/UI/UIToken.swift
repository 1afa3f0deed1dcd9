import Foundation

/// The secret a URL must carry (`?token=…`, as Jupyter does): 128 random bits, compared in constant time.
package struct UIToken: Sendable, Equatable {
    package let value: String

    package init(value: String) { self.value = value }

    /// A fresh token from the system's random source.
    package static func random() -> UIToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return UIToken(value: bytes.map { String(format: "%02x", $0) }.joined())
    }

    /// Whether `candidate` is this token; takes the same time wherever the first difference is.
    package func matches(_ candidate: String?) -> Bool {
        guard let candidate else { return false }
        let a = Array(value.utf8), b = Array(candidate.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
