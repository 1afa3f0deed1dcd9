/// A place in a spec file: file path, 1-based line and column. Line 0 names a whole file or a
/// command-line argument (`--set iter=30`), shown without line and column.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { line == 0 ? file : "\(file):\(line):\(column)" }
}
