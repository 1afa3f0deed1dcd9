/// Failures of the study tools, each naming the file (and line) at fault.
package enum StudyError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, message: String)
    case malformed(path: String, line: Int, message: String)
    /// Every malformed line of a file, so one pass shows them all.
    case malformedLines(path: String, [LineProblem])
    case invalidDesign(String)
    case missingImages(String)

    package var description: String {
        switch self {
        case .unreadable(let path, let message): return "\(path): \(message)"
        case .malformed(let path, let line, let message): return "\(path):\(line): \(message)"
        case .malformedLines: return problems.joined(separator: "\n")
        case .invalidDesign(let message): return "user study: \(message)"
        case .missingImages(let message): return "user study: \(message)"
        }
    }

    /// One line per problem, each naming its file (and line).
    package var problems: [String] {
        guard case .malformedLines(let path, let lines) = self else { return [description] }
        return lines.map { "\(path):\($0.line): \($0.message)" }
    }
}

/// What is wrong with one line of a file.
package struct LineProblem: Sendable, Equatable {
    /// 1-based.
    package var line: Int
    package var message: String

    package init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }
}
