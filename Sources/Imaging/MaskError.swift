/// Why a segmentation mask or its classes file cannot be used; always names the file.
public enum MaskError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The mask folder has no `classes.txt`.
    case missingClasses(path: String)
    /// A line of `classes.txt` is not `ID NAME`.
    case malformedClasses(path: String, line: Int, String)
    /// An image has no mask.
    case missingMask(image: String, expected: String)
    /// A mask is not an 8-bit single-channel image.
    case notALabelImage(path: String, String)
    /// A mask's size differs from its image's.
    case sizeMismatch(path: String, mask: (Int, Int), image: (Int, Int))
    /// A mask holds an id its classes file does not name.
    case unknownClass(path: String, id: Int, classesFile: String)
    /// Two mask folders that must agree name their classes differently.
    case classesDiffer(String, String)
    /// Reading or writing failed.
    case io(path: String, String)

    public static func == (a: MaskError, b: MaskError) -> Bool { a.description == b.description }

    public var description: String {
        switch self {
        case let .missingClasses(path):
            return "\(path): missing; a mask folder names its classes in classes.txt, one 'ID NAME' line each (docs/memory-banks.md)"
        case let .malformedClasses(path, line, message): return "\(path):\(line): \(message)"
        case let .missingMask(image, expected): return "\(image): no mask; expected \(expected)"
        case let .notALabelImage(path, message): return "\(path): \(message); a mask is an 8-bit single-channel PNG of class ids"
        case let .sizeMismatch(path, mask, image):
            return "\(path): mask is \(mask.0)x\(mask.1) but its image is \(image.0)x\(image.1)"
        case let .unknownClass(path, id, classesFile): return "\(path): class id \(id) is not named in \(classesFile)"
        case let .classesDiffer(a, b): return "\(a) and \(b) name their classes differently; semantic banks need the same classes"
        case let .io(path, message): return "\(path): \(message)"
        }
    }
}
