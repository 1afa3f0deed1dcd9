/// A place in a spec file: file path, 1-based line and column. Line 0 names a whole file or a
/// command-line argument (`--set iter=30`), shown without line and column.
package struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    package var file: String
    package var line: Int
    package var column: Int

    package init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    package var description: String { line == 0 ? file : "\(file):\(line):\(column)" }
}
