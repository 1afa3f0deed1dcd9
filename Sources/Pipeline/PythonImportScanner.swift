/// One module an import statement names: `import a.b` is level 0, module `a.b`, no names;
/// `from ..c import d, e` is level 2, module `c`, names `d`, `e` (each may be a submodule).
package struct PythonImport: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Leading dots of a relative import; 0 for an absolute one.
    package var level: Int
    /// The dotted module after the dots; empty in `from . import x`.
    package var module: String
    /// What `from … import` takes from the module (`*` for a star import); empty for `import m`.
    package var names: [String]

    package init(level: Int = 0, module: String, names: [String] = []) {
        self.level = level
        self.module = module
        self.names = names
    }

    package var description: String {
        let source = String(repeating: ".", count: level) + module
        return names.isEmpty ? "import \(source)" : "from \(source) import \(names.joined(separator: ", "))"
    }
}

/// Finds the imports of a Python source file without running it: a small tokenizer (comments,
/// strings of every quoting incl. triple-quoted, line continuations, brackets) and a reader of
/// `import` and `from … import` statements, wherever they stand (inside functions, `try`, `if`).
/// A call `importlib.import_module("a.b")` or `__import__("a")` with one literal name counts
/// too; a computed name cannot be followed. Never fails: what it cannot read it skips.
package enum PythonImportScanner {
    package static func imports(in source: [UInt8]) -> [PythonImport] {
        let tokens = PythonTokenizer.tokens(source)
        var found: [PythonImport] = []
        var i = 0
        var atStatementStart = true
        while i < tokens.count {
            let token = tokens[i]
            if atStatementStart, token == .name("import") {
                i = readImport(tokens, i + 1, into: &found)
                atStatementStart = false
                continue
            }
            if atStatementStart, token == .name("from") {
                i = readFrom(tokens, i + 1, into: &found)
                atStatementStart = false
                continue
            }
            if token == .name("import_module") || token == .name("__import__"),
               i + 3 < tokens.count, tokens[i + 1] == .open("("), case .string(let literal?) = tokens[i + 2],
               tokens[i + 3] == .close(")") || tokens[i + 3] == .punct(","),
               isDottedName(literal) {
                found.append(PythonImport(module: literal))
            }
            atStatementStart = token == .boundary
            i += 1
        }
        return found
    }

    /// `import a.b as c, d`: each dotted name, from `i` to the end of the statement.
    private static func readImport(_ tokens: [PythonToken], _ start: Int, into found: inout [PythonImport]) -> Int {
        var i = start
        while true {
            let (module, next) = dottedName(tokens, i)
            guard !module.isEmpty else { return next }
            found.append(PythonImport(module: module))
            i = next
            if i < tokens.count, tokens[i] == .name("as") { i += 2 }
            guard i < tokens.count, tokens[i] == .punct(",") else { return i }
            i += 1
        }
    }

    /// `from ..a.b import (c as d, e)` or `from . import *`.
    private static func readFrom(_ tokens: [PythonToken], _ start: Int, into found: inout [PythonImport]) -> Int {
        var i = start
        var level = 0
        while i < tokens.count, tokens[i] == .dot {
            level += 1
            i += 1
        }
        let (module, next) = dottedName(tokens, i)
        i = next
        guard level > 0 || !module.isEmpty, i < tokens.count, tokens[i] == .name("import") else { return i }
        i += 1
        var names: [String] = []
        if i < tokens.count, tokens[i] == .punct("*") {
            names = ["*"]
            i += 1
        } else {
            let parenthesised = i < tokens.count && tokens[i] == .open("(")
            if parenthesised { i += 1 }
            while i < tokens.count, case .name(let name) = tokens[i] {
                names.append(name)
                i += 1
                if i < tokens.count, tokens[i] == .name("as") { i += 2 }
                guard i < tokens.count, tokens[i] == .punct(",") else { break }
                i += 1
            }
            if parenthesised, i < tokens.count, tokens[i] == .close(")") { i += 1 }
        }
        found.append(PythonImport(level: level, module: module, names: names))
        return i
    }

    private static func dottedName(_ tokens: [PythonToken], _ start: Int) -> (String, Int) {
        var i = start
        var parts: [String] = []
        while i < tokens.count, case .name(let part) = tokens[i], part != "import" {
            parts.append(part)
            i += 1
            guard i + 1 < tokens.count, tokens[i] == .dot, case .name = tokens[i + 1] else { break }
            i += 1
        }
        return (parts.joined(separator: "."), i)
    }

    /// Whether `text` is an absolute dotted module name (`a.b_c`), as a literal passed to `import_module`.
    static func isDottedName(_ text: String) -> Bool {
        !text.isEmpty && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            guard let first = part.unicodeScalars.first, first == "_" || first.properties.isXIDStart else { return false }
            return part.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isXIDContinue }
        }
    }
}
