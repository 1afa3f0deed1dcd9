/// What the planner decided for one stage instance.
package enum StageDecision: Sendable, Equatable {
    /// Outputs for this fingerprint are in the store and verified.
    case cached
    case run(RunReason)

    package var willRun: Bool {
        if case .run = self { return true }
        return false
    }
}

/// A stage instance with its fingerprint and the decision taken for it.
package struct PlannedStage: Sendable {
    package var instance: StageInstance
    package var key: FingerprintKey
    package var fingerprint: String
    package var decision: StageDecision
    /// Upstream input name → (instance id, output name), for resolving paths at execution time.
    package var upstreamOutputs: [String: (stage: String, output: String)]
    /// A `cmd` stage's code files the fingerprint covers (hashed under `code:PATH`), with how each was reached.
    package var code: [CodeFile] = []
}

/// The plan for one experiment: a value, computed without running anything.
package struct Plan: Sendable {
    package var experiment: Experiment
    package var stages: [PlannedStage]

    package func stage(_ id: String) -> PlannedStage? { stages.first { $0.instance.id == id } }

    package var toRun: [PlannedStage] { stages.filter { $0.decision.willRun } }

    /// Stage ids matching a selector: an instance id (`train@monet`) or a stage name (`train`, all its instances).
    package func ids(matching selector: String) -> [String] {
        stages.filter { $0.instance.matches(selector) }.map(\.instance.id)
    }
}
