import Foundation

/// The planner's view of a real workspace: hashes through the hasher's state cache, outputs
/// verified against the store, history from the ledger.
public final class StoreEnvironment: PlanEnvironment {
    let workspace: Workspace
    let ledger: Ledger
    let store: ArtifactStore
    let hasher: ContentHasher
    private var verified: [String: Bool] = [:]

    public init(workspace: Workspace, ledger: Ledger, store: ArtifactStore, hasher: ContentHasher) {
        self.workspace = workspace
        self.ledger = ledger
        self.store = store
        self.hasher = hasher
    }

    public func contentHash(ofInput path: String) throws -> String {
        try hasher.hash(path: workspace.resolve(path).path)
    }

    public func hasValidOutputs(fingerprint: String, outputs names: [String]) -> Bool {
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

    public func lastExecution(experiment: String, stage: String) -> (key: FingerprintKey, status: ExecutionStatus)? {
        guard let record = try? ledger.lastExecution(experiment: experiment, stage: stage), let key = record.key else { return nil }
        return (key, record.status)
    }
}
