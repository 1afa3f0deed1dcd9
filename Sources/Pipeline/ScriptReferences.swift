/// The language of a workspace script, which decides how its references are read.
package enum ScriptLanguage: String, Codable, Sendable {
    case python, shell

    /// By extension: `.py` is Python; `.sh`, `.bash` are shell; anything else is not scanned
    /// unless the command runs it with `python`, `sh` or `bash`.
    package init?(path: String) {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if name.hasSuffix(".py") {
            self = .python
        } else if name.hasSuffix(".sh") || name.hasSuffix(".bash") {
            self = .shell
        } else {
            return nil
        }
    }

    /// Names the scanner and its version; references cached under another scanner are read again.
    package var scannerID: String {
        switch self {
        case .python: return "python-1"
        case .shell: return "shell-1"
        }
    }
}

/// What one script's text says about other workspace code: a Python file's imports, a shell
/// file's sourced files and the scripts it runs. A pure function of the text, so it is cached by
/// content hash (`ScriptReferenceCache`).
package struct ScriptReferences: Codable, Sendable, Equatable {
    package var imports: [PythonImport] = []
    package var invocations = ScriptInvocations()

    package init(imports: [PythonImport] = [], invocations: ScriptInvocations = ScriptInvocations()) {
        self.imports = imports
        self.invocations = invocations
    }

    /// Reads the references of a script's bytes.
    package static func scan(_ bytes: [UInt8], as language: ScriptLanguage) -> ScriptReferences {
        switch language {
        case .python: return ScriptReferences(imports: PythonImportScanner.imports(in: bytes))
        case .shell: return ScriptReferences(invocations: ScriptInvocations.find(in: String(decoding: bytes, as: UTF8.self)))
        }
    }
}
