/// Failures of the study tools, each naming the file (and line) at fault.
public enum StudyError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, message: String)
    case malformed(path: String, line: Int, message: String)
    case invalidDesign(String)
    case missingImages(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let message): return "\(path): \(message)"
        case .malformed(let path, let line, let message): return "\(path):\(line): \(message)"
        case .invalidDesign(let message): return "user study: \(message)"
        case .missingImages(let message): return "user study: \(message)"
        }
    }
}
