/// Whether a workspace path is a file or a folder.
package enum FileKind: Sendable, Equatable {
    case file, folder
}

/// The files a `cmd` stage's fingerprint covers when it has no `code:`: the workspace files its
/// command names, and everything those scripts bring in from the workspace, recursively, as Python
/// and the shell would find it. Python scripts and `-m` modules: their imports (`PythonImportScanner`),
/// resolved over `dir/` of `python3 dir/script.py` or the workspace for `-m`, then the command's
/// `PYTHONPATH` folders (`PythonModuleResolver`). Shell scripts: the files they source and the
/// scripts they run (`ScriptInvocations`). Cycles end where a file was already read. Pure over the
/// `PlanEnvironment`; a script that cannot be read brings in nothing.
package struct CodeClosure {
    private let environment: PlanEnvironment
    private var files: [CodeFile] = []
    private var known: Set<String> = []
    private var pythonPath: [String]
    private var shellRead: Set<String> = []
    private var pythonEntries: [(entry: CodeEntry, via: [CodeLink])] = []

    private init(environment: PlanEnvironment, pythonPath: [String]) {
        self.environment = environment
        self.pythonPath = pythonPath
    }

    /// The covered files in the order they were found, each with the chain that brought it in.
    package static func files(of code: CodeFiles, environment: PlanEnvironment) -> [CodeFile] {
        var closure = CodeClosure(environment: environment, pythonPath: code.invocations.pythonPath)
        for path in code.detected where environment.fileKind(ofInput: path) != nil { closure.add(path, via: []) }
        let named: [CodeEntry] = code.detected.compactMap { path in
            switch ScriptLanguage(path: path) {
            case .python?: return .pythonScript(path)
            case .shell?: return .shellScript(path)
            case nil: return nil
            }
        }
        var entered: [CodeEntry] = []
        for entry in named + code.invocations.entries where !entered.contains(entry) {
            entered.append(entry)
            closure.enter(entry, via: [])
        }
        // Python last: shell scripts read on the way may add `PYTHONPATH` folders.
        for (entry, via) in closure.pythonEntries { closure.walkPython(entry, via: via) }
        return closure.files
    }

    private mutating func add(_ path: String, via: [CodeLink]) {
        if known.insert(path).inserted { files.append(CodeFile(path: path, via: via)) }
    }

    private mutating func enter(_ entry: CodeEntry, via: [CodeLink]) {
        switch entry {
        case .shellScript(let path), .sourced(let path):
            guard environment.fileKind(ofInput: path) == .file else { return }
            add(path, via: via)
            walkShell(path, via: via)
        case .pythonScript(let path):
            guard environment.fileKind(ofInput: path) == .file else { return }
            add(path, via: via)
            pythonEntries.append((entry, via))
        case .pythonModule:
            pythonEntries.append((entry, via))
        }
    }

    private mutating func walkShell(_ path: String, via: [CodeLink]) {
        guard shellRead.insert(path).inserted else { return }
        let references = (try? environment.scriptReferences(ofInput: path, language: .shell)) ?? ScriptReferences()
        for folder in references.invocations.pythonPath where !pythonPath.contains(folder) { pythonPath.append(folder) }
        for entry in references.invocations.entries {
            if case .sourced = entry {
                enter(entry, via: [CodeLink(.sourced, by: path)] + via)
            } else {
                enter(entry, via: [CodeLink(.run, by: path)] + via)
            }
        }
    }

    private mutating func walkPython(_ entry: CodeEntry, via: [CodeLink]) {
        switch entry {
        case .pythonScript(let path):
            var walk = PythonWalk(searchPath: [PythonModuleResolver.folder(of: path)] + pythonPath, environment)
            visitPython(path, module: nil, isPackage: false, via: via, &walk)
        case .pythonModule(let name):
            var walk = PythonWalk(searchPath: [""] + pythonPath, environment)
            importPython(name, via: via, &walk)
            // `python -m pkg` runs the package's `__main__.py`.
            if let folders = walk.resolver.find(name)?.locations,
               let main = folders.map({ $0 + "/__main__.py" }).first(where: { environment.fileKind(ofInput: $0) == .file }) {
                visitPython(main, module: name + ".__main__", isPackage: false, via: via, &walk)
            }
        case .shellScript, .sourced:
            break
        }
    }

    /// One Python process's walk: its search path and the modules it has read.
    private struct PythonWalk {
        var resolver: PythonModuleResolver
        var read: Set<String> = []

        init(searchPath: [String], _ environment: PlanEnvironment) {
            resolver = PythonModuleResolver(searchPath: searchPath, environment: environment)
        }
    }

    /// Imports `a.b.c` as Python does: `a`, then `a.b`, then `a.b.c`, each package's `__init__.py` included.
    private mutating func importPython(_ qualified: String, via: [CodeLink], _ walk: inout PythonWalk) {
        let parts = qualified.split(separator: ".")
        for count in parts.indices {
            let name = parts.prefix(count + 1).joined(separator: ".")
            guard let module = walk.resolver.find(name) else { return }
            if let file = module.file { visitPython(file, module: name, isPackage: module.locations != nil, via: via, &walk) }
        }
    }

    /// Reads one module (`module` nil for the script Python runs as `__main__`) and follows its imports.
    private mutating func visitPython(_ path: String, module: String?, isPackage: Bool, via: [CodeLink], _ walk: inout PythonWalk) {
        add(path, via: via)
        guard walk.read.insert(path + "\u{0}" + (module ?? "__main__")).inserted else { return }
        let references = (try? environment.scriptReferences(ofInput: path, language: .python)) ?? ScriptReferences()
        // The package relative imports start from: the module itself for a package, else its parent.
        let package: [Substring]? = module.map { name in
            let parts = name.split(separator: ".")
            return isPackage ? parts : Array(parts.dropLast())
        }
        let next = [CodeLink(.imported, by: path)] + via
        for item in references.imports {
            var base = item.module
            if item.level > 0 {
                guard var parts = package, parts.count >= item.level else { continue }  // no package: Python refuses it
                parts.removeLast(item.level - 1)
                base = (parts + (item.module.isEmpty ? [] : [Substring(item.module)])).joined(separator: ".")
            }
            importPython(base, via: next, &walk)
            // `from a import b` imports the submodule `a.b` when there is one.
            guard walk.resolver.find(base)?.locations != nil else { continue }
            for name in item.names where name != "*" { importPython(base + "." + name, via: next, &walk) }
        }
    }
}
