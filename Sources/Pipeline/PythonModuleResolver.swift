/// Finds modules the way Python's path finder does, limited to the workspace: each folder of the
/// search path in order, a package folder with `__init__.py` first, then `NAME.py`, and a folder
/// without `__init__.py` as a namespace package portion only when nothing later wins; submodules
/// inside their package's folders. A name found in no workspace folder resolves outside the
/// workspace (the standard library, site-packages) and is not followed. Extension modules and
/// `.pyc`-only modules are not looked for.
struct PythonModuleResolver {
    /// A module found in the workspace: its file (none for a namespace package) and, for a
    /// package, the folders its submodules are searched in.
    struct Module: Equatable {
        var file: String?
        var locations: [String]?
    }

    /// Workspace-relative folders, in Python's `sys.path` order (`""` is the workspace itself).
    let searchPath: [String]
    private let environment: PlanEnvironment
    private var found: [String: Module?] = [:]

    init(searchPath: [String], environment: PlanEnvironment) {
        self.searchPath = searchPath
        self.environment = environment
    }

    /// The module `qualified` (`a.b.c`) when it lives in the workspace.
    mutating func find(_ qualified: String) -> Module? {
        if let known = found[qualified] { return known }
        let parts = qualified.split(separator: ".").map(String.init)
        var result: Module?
        if parts.count == 1 {
            result = search(parts[0], in: searchPath)
        } else if let parent = find(parts.dropLast().joined(separator: ".")), let locations = parent.locations {
            result = search(parts[parts.count - 1], in: locations)
        }
        found.updateValue(result, forKey: qualified)
        return result
    }

    private func search(_ name: String, in folders: [String]) -> Module? {
        var portions: [String] = []
        for folder in folders {
            let candidate = PythonModuleResolver.join(folder, name)
            var namespace = false
            if environment.fileKind(ofInput: candidate) == .folder {
                let initFile = candidate + "/__init__.py"
                if environment.fileKind(ofInput: initFile) == .file { return Module(file: initFile, locations: [candidate]) }
                namespace = true
            }
            let source = PythonModuleResolver.join(folder, name + ".py")
            if environment.fileKind(ofInput: source) == .file { return Module(file: source, locations: nil) }
            if namespace { portions.append(candidate) }
        }
        return portions.isEmpty ? nil : Module(file: nil, locations: portions)
    }

    static func join(_ folder: String, _ name: String) -> String { folder.isEmpty ? name : folder + "/" + name }

    /// The folder of a workspace path (`""` for the workspace itself).
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }
}
