/// What the planner decided for one stage instance.
public enum StageDecision: Sendable, Equatable {
    /// Outputs for this fingerprint are in the store and verified.
    case cached
    case run(RunReason)

    public var willRun: Bool {
        if case .run = self { return true }
        return false
    }
}

/// A stage instance with its fingerprint and the decision taken for it.
public struct PlannedStage: Sendable {
    public var instance: StageInstance
    public var key: FingerprintKey
    public var fingerprint: String
    public var decision: StageDecision
    /// Upstream input name → (instance id, output name), for resolving paths at execution time.
    public var upstreamOutputs: [String: (stage: String, output: String)]
    /// A `cmd` stage's code files the fingerprint covers (hashed under `code:PATH`), with how each was reached.
    public var code: [CodeFile] = []
}

/// The plan for one experiment: a value, computed without running anything.
public struct Plan: Sendable {
    public var experiment: Experiment
    public var stages: [PlannedStage]

    public func stage(_ id: String) -> PlannedStage? { stages.first { $0.instance.id == id } }

    public var toRun: [PlannedStage] { stages.filter { $0.decision.willRun } }

    /// Stage ids matching a selector: an instance id (`train@monet`) or a stage name (`train`, all its instances).
    public func ids(matching selector: String) -> [String] {
        stages.filter { $0.instance.matches(selector) }.map(\.instance.id)
    }
}
