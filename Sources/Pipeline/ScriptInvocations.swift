/// A way shell text runs workspace code: the start of an import or source closure.
package enum CodeEntry: Codable, Sendable, Hashable {
    /// `python3 dir/script.py`: Python searches `dir/` first.
    case pythonScript(String)
    /// `python3 -m pkg.mod`: Python searches the working folder (the workspace) first.
    case pythonModule(String)
    /// `bash run.sh`, `sh tools/x`.
    case shellScript(String)
    /// `source env.sh`, `. env.sh`.
    case sourced(String)
}

/// What shell text (a `cmd`, or a shell script it runs) says about the workspace code it runs:
/// scripts given to `python`, `sh` or `bash`, modules given to `python -m`, files it sources, and the
/// `PYTHONPATH` folders it sets. Paths are workspace-relative; a path the shell computes, an absolute
/// one or one leaving the workspace is not followed.
package struct ScriptInvocations: Codable, Sendable, Hashable {
    package var entries: [CodeEntry] = []
    /// Workspace folders the text puts on `PYTHONPATH`, in order (`""` is the workspace itself).
    package var pythonPath: [String] = []

    package init(entries: [CodeEntry] = [], pythonPath: [String] = []) {
        self.entries = entries
        self.pythonPath = pythonPath
    }

    /// Words that may stand before the command word of a simple command.
    private static let prefixes: Set<String> = ["{", "}", "!", "if", "then", "else", "elif", "do", "while", "until",
                                                "time", "exec", "nohup", "command", "builtin"]
    private static let shells: Set<String> = ["sh", "bash", "dash", "zsh", "ksh"]

    package static func find(in text: String) -> ScriptInvocations {
        var found = ScriptInvocations()
        for words in ShellWords.commands(in: text) {
            var i = 0
            // Assignments and prefixes (`PYTHONPATH=src env nice -n 5 python3 …`) before the command word.
            while i < words.count {
                let word = words[i]
                if let value = assignedValue(word, to: "PYTHONPATH") {
                    found.addPythonPath(value)
                } else if isAssignment(word) || prefixes.contains(word) {
                } else if word == "env" || word == "nice" {
                    while i + 1 < words.count, words[i + 1].hasPrefix("-") {
                        i += 1
                        if ["-n", "-u"].contains(words[i]) { i += 1 }
                    }
                } else {
                    break
                }
                i += 1
            }
            guard i < words.count else { continue }
            let command = words[i]
            let arguments = Array(words[(i + 1)...])
            let program = command.split(separator: "/").last.map(String.init) ?? command
            if command == "export" || command == "declare" {
                for word in arguments { if let value = assignedValue(word, to: "PYTHONPATH") { found.addPythonPath(value) } }
            } else if command == "source" || command == ".", let path = arguments.first.flatMap(workspacePath) {
                found.entries.append(.sourced(path))
            } else if isPython(program), let entry = pythonEntry(arguments) {
                found.entries.append(entry)
            } else if shells.contains(program), let path = shellScript(arguments) {
                found.entries.append(.shellScript(path))
            }
        }
        return found
    }

    /// A workspace-relative path for a word, or nil when it is computed, absolute or leaves the workspace.
    package static func workspacePath(_ word: String) -> String? {
        var path = word
        if path.first == ShellWords.workingFolder {
            path.removeFirst()
            guard path.isEmpty || path.hasPrefix("/") else { return nil }
            path = "." + path
        }
        while path.hasPrefix("./") { path.removeFirst(2) }
        while path.hasSuffix("/") { path.removeLast() }
        if path == "." { path = "" }
        guard !path.contains(ShellWords.expansion), !path.contains(ShellWords.workingFolder), !path.hasPrefix("/"),
              !path.hasPrefix("~"), !path.split(separator: "/").contains("..") else { return nil }
        return path
    }

    private mutating func addPythonPath(_ value: String) {
        for part in value.split(separator: ":", omittingEmptySubsequences: false) {
            if let folder = ScriptInvocations.workspacePath(String(part)), !pythonPath.contains(folder) { pythonPath.append(folder) }
        }
    }

    private static func isAssignment(_ word: String) -> Bool {
        guard let equals = word.firstIndex(of: "="), equals != word.startIndex else { return false }
        return word[..<equals].allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }

    private static func assignedValue(_ word: String, to name: String) -> String? {
        word.hasPrefix(name + "=") ? String(word.dropFirst(name.count + 1)) : nil
    }

    /// `python`, `python3`, `python3.11`.
    private static func isPython(_ program: String) -> Bool {
        program.hasPrefix("python") && program.dropFirst(6).allSatisfy { $0.isNumber || $0 == "." }
    }

    /// The script or `-m` module of a Python command line; nil for `-c`, stdin or a computed name.
    private static func pythonEntry(_ arguments: [String]) -> CodeEntry? {
        var i = 0
        while i < arguments.count {
            let word = arguments[i]
            guard word.hasPrefix("-"), word != "-" else {
                return workspacePath(word).flatMap { $0.isEmpty ? nil : CodeEntry.pythonScript($0) }
            }
            if word == "--" {
                return i + 1 < arguments.count ? workspacePath(arguments[i + 1]).map(CodeEntry.pythonScript) : nil
            }
            if word.hasPrefix("--") {  // --check-hash-based-pycs takes a value; the others stand alone
                if word == "--check-hash-based-pycs" { i += 1 }
                i += 1
                continue
            }
            // A cluster of one-letter options: `-u`, `-OO`, `-um pkg.mod`, `-W ignore`, `-Xdev`.
            for (offset, letter) in word.dropFirst().enumerated() {
                let rest = String(word.dropFirst(offset + 2))
                switch letter {
                case "c":
                    return nil
                case "m":
                    let module = rest.isEmpty ? (i + 1 < arguments.count ? arguments[i + 1] : "") : rest
                    return PythonImportScanner.isDottedName(module) ? .pythonModule(module) : nil
                case "W", "X":
                    if rest.isEmpty { i += 1 }
                default:
                    continue
                }
                break
            }
            i += 1
        }
        return nil
    }

    /// The script of `sh`/`bash` options… script; nil for `-c` or stdin.
    private static func shellScript(_ arguments: [String]) -> String? {
        var i = 0
        while i < arguments.count {
            let word = arguments[i]
            if word.hasPrefix("-") || word.hasPrefix("+") {
                if word == "-c" || word == "-s" || word == "-" || word == "--" && i + 1 >= arguments.count { return nil }
                if word == "-o" || word == "+o" || word == "-O" || word == "+O" { i += 1 }
                i += 1
                continue
            }
            return workspacePath(word).flatMap { $0.isEmpty ? nil : $0 }
        }
        return nil
    }
}
