import Foundation

/// Checks of text inside values: the `${…}` references of a `cmd` command line, located at the
/// column where each is written.
extension SpecExpander {
    /// Where `needle` is written, searching the spec's lines from `start` (the value that holds it);
    /// `start` itself when the text cannot be found (a value written with escapes).
    func locate(_ needle: String, from start: SourceLocation) -> SourceLocation {
        let lines = spec.sourceLines
        guard start.line >= 1, start.line <= lines.count, !needle.isEmpty else { return start }
        for index in (start.line - 1)..<min(lines.count, start.line + 200) {
            let line = Array(lines[index])
            let from = index == start.line - 1 ? max(0, start.column - 1) : 0
            let target = Array(needle)
            guard line.count >= target.count, from <= line.count - target.count else { continue }
            for column in from...(line.count - target.count) where Array(line[column..<(column + target.count)]) == target {
                return SourceLocation(file: start.file, line: index + 1, column: column + 1)
            }
        }
        return start
    }

    /// `${inputs.NAME}`, `${outputs.NAME}` and `${params.NAME}` in a `cmd` must name an input, an
    /// output and a parameter the stage declares: checked now rather than when the command runs.
    mutating func checkCommandReferences(_ command: YAMLNode, _ stage: StageSpec, _ path: String) {
        let problems = commandProblems[stage.name] ?? commandReferenceProblems(command, stage, path)
        commandProblems[stage.name] = problems
        // Raised for every instance (each counts against it), reported once.
        for problem in problems { error(problem.location, problem.path, problem.message) }
    }

    private func commandReferenceProblems(_ command: YAMLNode, _ stage: StageSpec, _ path: String) -> [CommandProblem] {
        let declared: [(prefix: String, what: String, names: [String])] = [
            ("inputs.", "input", stage.inputs.map(\.name)),
            ("outputs.", "output", stage.outputs.map(\.name)),
            ("params.", "parameter", stage.params.map(\.name)),
        ]
        var problems: [CommandProblem] = []
        for name in Substitution.references(in: command.scalar ?? "") {
            guard let group = declared.first(where: { name.hasPrefix($0.prefix) }) else { continue }
            let key = String(name.dropFirst(group.prefix.count))
            guard !group.names.contains(key) else { continue }
            let hint = DidYouMean.closest(to: key, in: group.names).map { "did you mean '\($0)'?" }
                ?? (group.names.isEmpty ? "it has none" : "it has: " + group.names.joined(separator: ", "))
            problems.append(CommandProblem(location: locate("${\(name)}", from: command.location), path: "\(path).cmd",
                                           message: "the command refers to '${\(name)}', but the stage has no \(group.what) '\(key)' (\(hint))"))
        }
        return problems
    }
}

/// A `${…}` reference of a command that names nothing the stage declares.
struct CommandProblem {
    var location: SourceLocation
    var path: String
    var message: String
}

extension Substitution {
    /// The names of the `${…}` references in `text`, escaped ones (`$${…}`) left out.
    static func references(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let start = rest.firstReference() {
            let escaped = rest[rest.startIndex..<start.lowerBound].hasSuffix("$")
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { break }
            if !escaped { names.append(String(rest[start.upperBound..<end])) }
            rest = rest[rest.index(after: end)...]
        }
        return names
    }
}
