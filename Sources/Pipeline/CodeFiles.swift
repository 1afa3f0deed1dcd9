/// The code of a `cmd` stage: files of the workspace whose content decides what the command
/// computes (its scripts and configs), hashed into the fingerprint like inputs, so editing
/// `score.py` reruns `python3 score.py …` (DVC's long-standing trap, iterative/dvc#1577), and
/// editing `helper.py`, which `score.py` imports, does too (iterative/dvc#9195; `CodeClosure`).
package struct CodeFiles: Sendable, Hashable {
    /// Listed in `code:`: each must exist; exactly these are covered.
    package var declared: [String] = []
    /// Named on the command line: counted when such a file or folder exists in the workspace.
    package var detected: [String] = []
    /// How the command runs workspace code (`python3 -m pkg.mod`, `bash run.sh`, `source env.sh`,
    /// `PYTHONPATH=src`): where the closure of imports and sourced files starts. Empty with `code:`.
    package var invocations = ScriptInvocations()

    package init(declared: [String] = [], detected: [String] = [], invocations: ScriptInvocations = ScriptInvocations()) {
        self.declared = declared
        self.detected = detected
        self.invocations = invocations
    }

    /// The fingerprint's input name for a code path.
    package static func inputName(_ path: String) -> String { "code:" + path }

    /// Words of `command` that may name a workspace file: relative paths with a file extension or a
    /// folder separator (`score.py`, `./run.sh`, `conf/params.yaml`), outside `${…}` references,
    /// not options and not leaving the workspace. Whether each exists is the planner's question.
    package static func detect(in command: String) -> [String] {
        let withoutReferences = command.replacingOccurrences(of: #"\$\{[^}]*\}"#, with: " ", options: .regularExpression)
        let separators = Set(" \t\n;|&<>()'\"`=,")
        var found: [String] = []
        for word in withoutReferences.split(whereSeparator: { separators.contains($0) }) {
            var path = String(word)
            while path.hasPrefix("./") { path.removeFirst(2) }
            guard !path.isEmpty, !path.hasPrefix("-"), !path.hasPrefix("/"), !path.hasPrefix("$"), !path.hasPrefix("~"),
                  !path.split(separator: "/").contains(".."), path.contains(where: \.isLetter),
                  path.contains("/") || path.contains(".") else { continue }
            if !found.contains(path) { found.append(path) }
        }
        return found
    }
}
