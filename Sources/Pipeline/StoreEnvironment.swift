import Foundation

/// The planner's view of a real workspace: hashes through the hasher's state cache, outputs
/// verified against the store, history from the ledger.
public final class StoreEnvironment: PlanEnvironment {
    let workspace: Workspace
    let ledger: Ledger
    let store: ArtifactStore
    let hasher: ContentHasher
    let scripts: ScriptReferenceCache
    private var verified: [String: Bool] = [:]
    /// Stats of one plan: stages importing the same modules ask about the same paths.
    private var kinds: [String: FileKind?] = [:]

    public init(workspace: Workspace, ledger: Ledger, store: ArtifactStore, hasher: ContentHasher, scripts: ScriptReferenceCache) {
        self.workspace = workspace
        self.ledger = ledger
        self.store = store
        self.hasher = hasher
        self.scripts = scripts
    }

    public func contentHash(ofInput path: String) throws -> String {
        try hasher.hash(path: workspace.resolve(path).path)
    }

    public func fileKind(ofInput path: String) -> FileKind? {
        if let known = kinds[path] { return known }
        var info = stat()
        var kind: FileKind?
        if stat(workspace.resolve(path).path, &info) == 0 { kind = (info.st_mode & S_IFMT) == S_IFDIR ? .folder : .file }
        kinds.updateValue(kind, forKey: path)
        return kind
    }

    public func scriptReferences(ofInput path: String, language: ScriptLanguage) throws -> ScriptReferences {
        let full = workspace.resolve(path).path
        return try scripts.references(path: full, hash: try hasher.hash(path: full), language: language)
    }

    public func hasValidOutputs(fingerprint: String, outputs names: [String]) -> Bool {
        if let known = verified[fingerprint] { return known }
        let recorded = (try? ledger.outputs(fingerprint: fingerprint)) ?? []
        let ok: Bool
        if (try? ledger.producer(fingerprint: fingerprint)) == nil || Set(recorded.map(\.name)) != Set(names) {
            ok = false
        } else {
            ok = store.isIntact(fingerprint: fingerprint, outputs: recorded)
        }
        verified[fingerprint] = ok
        return ok
    }

    public func lastExecution(experiment: String, stage: String) -> (key: FingerprintKey, status: ExecutionStatus)? {
        guard let record = try? ledger.lastExecution(experiment: experiment, stage: stage), let key = record.key else { return nil }
        return (key, record.status)
    }
}
