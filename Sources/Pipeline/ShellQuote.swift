/// Single-quotes a value for `/bin/sh`.
package enum ShellQuote {
    package static func quote(_ value: String) -> String {
        if value.allSatisfy({ $0.isLetter || $0.isNumber || "/._-+=:,@".contains($0) }) && !value.isEmpty { return value }
        return "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
