import Foundation

/// The planner's view of a real workspace: hashes through the hasher's state cache, outputs
/// verified against the store, history from the ledger.
package final class StoreEnvironment: PlanEnvironment {
    let workspace: Workspace
    let ledger: Ledger
    let store: ArtifactStore
    let hasher: ContentHasher
    let scripts: ScriptReferenceCache
    private var verified: [String: Bool] = [:]
    /// What one plan learnt about workspace paths: stages reading the same inputs and importing the
    /// same modules ask about the same paths, and a plan is a snapshot, so each is asked once.
    private var kinds: [String: FileKind?] = [:]
    private var hashes: [String: String] = [:]
    private var references: [String: ScriptReferences] = [:]

    package init(workspace: Workspace, ledger: Ledger, store: ArtifactStore, hasher: ContentHasher, scripts: ScriptReferenceCache) {
        self.workspace = workspace
        self.ledger = ledger
        self.store = store
        self.hasher = hasher
        self.scripts = scripts
    }

    package func contentHash(ofInput path: String) throws -> String {
        if let known = hashes[path] { return known }
        let hash = try hasher.hash(path: workspace.resolve(path).path)
        hashes[path] = hash
        return hash
    }

    package func fileKind(ofInput path: String) -> FileKind? {
        if let known = kinds[path] { return known }
        var info = stat()
        var kind: FileKind?
        if stat(workspace.resolve(path).path, &info) == 0 { kind = (info.st_mode & S_IFMT) == S_IFDIR ? .folder : .file }
        kinds.updateValue(kind, forKey: path)
        return kind
    }

    package func scriptReferences(ofInput path: String, language: ScriptLanguage) throws -> ScriptReferences {
        let key = language.rawValue + ":" + path
        if let known = references[key] { return known }
        let found = try scripts.references(path: workspace.resolve(path).path, hash: try contentHash(ofInput: path), language: language)
        references[key] = found
        return found
    }

    package func hasValidOutputs(fingerprint: String, outputs names: [String]) -> Bool {
        if let known = verified[fingerprint] { return known }
        let recorded = (try? ledger.outputs(fingerprint: fingerprint)) ?? []
        let ok: Bool
        if (try? ledger.hasProducer(fingerprint: fingerprint)) != true || Set(recorded.map(\.name)) != Set(names) {
            ok = false
        } else {
            ok = store.isIntact(fingerprint: fingerprint, outputs: recorded)
        }
        verified[fingerprint] = ok
        return ok
    }

    package func lastExecution(experiment: String, stage: String) -> (key: FingerprintKey, status: ExecutionStatus)? {
        guard let record = try? ledger.lastExecution(experiment: experiment, stage: stage), let key = record.key else { return nil }
        return (key, record.status)
    }
}
