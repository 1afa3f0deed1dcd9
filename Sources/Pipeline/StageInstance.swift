/// Where a stage input comes from.
package enum InputSource: Hashable, Sendable, CustomStringConvertible {
    /// A file or folder, relative to the workspace root or absolute.
    case path(String)
    /// A named output of another stage instance, or a path inside it (`scenes.data/monet/test`).
    case output(stage: String, output: String, subpath: String)

    package var description: String {
        switch self {
        case .path(let p): return p
        case .output(let stage, let output, let subpath): return "\(stage).\(output)" + (subpath.isEmpty ? "" : "/" + subpath)
        }
    }
}

/// A concrete stage after matrix expansion and substitution: what the planner fingerprints.
package struct StageInstance: Sendable {
    /// Stable, readable id: the stage name, plus `@value,value` for `foreach` stages.
    package var id: String
    package var stageName: String
    package var kind: String
    package var kindVersion: Int
    /// The matrix values this instance runs for, in the stage's `foreach` order.
    package var matrixValues: [(axis: String, value: String)]
    /// Canonical parameters, defaults filled in.
    package var params: [String: ParamValue]
    package var inputs: [String: InputSource]
    /// Parameters whose values name files (see `ParamSpec.fileUnless`): name → path.
    package var fileParams: [String: String] = [:]
    /// A `cmd` stage's code: workspace files and folders whose content is part of the fingerprint.
    package var code = CodeFiles()
    package var outputs: [String]
    package var resources: StageResources
    package var location: SourceLocation
    /// Where each input and each `code:` path is written in the spec, for errors about the file it names.
    package var inputLocations: [String: SourceLocation] = [:]
    /// The metrics this instance records, as its kind (or its `metric_names:`) declares them; nil: undeclared.
    package var metrics: [MetricDeclaration]?

    /// Whether `selector` names this instance: its id (`train@monet`) or its stage (`train`).
    package func matches(_ selector: String) -> Bool { id == selector || stageName == selector }

    /// Instances this one reads outputs from.
    package var upstream: Set<String> {
        Set(inputs.values.compactMap { if case .output(let s, _, _) = $0 { return s } else { return nil } })
    }
}

/// A validated, expanded experiment: instances in a dependency-respecting order.
package struct Experiment: Sendable {
    package var name: String
    package var file: String
    package var description: String
    package var matrix: [MatrixAxis]
    package var instances: [StageInstance]
    package var slurm: SlurmConfig?
    package var results = ResultsDesign()
    /// Problems that do not stop a run (a results section naming metrics a `cmd` does not declare).
    package var warnings: [SpecDiagnostic] = []

    package func instance(_ id: String) -> StageInstance? { instances.first { $0.id == id } }

    /// The instances `ids` and everything they read from, in the same order: what `--only` plans
    /// (so inputs of unrelated stages are not even hashed).
    package func restricted(to ids: Set<String>) -> Experiment {
        var keep = Set<String>()
        var queue = Array(ids)
        while let id = queue.popLast() {
            guard keep.insert(id).inserted, let instance = instance(id) else { continue }
            queue.append(contentsOf: instance.upstream)
        }
        var copy = self
        copy.instances = instances.filter { keep.contains($0.id) }
        return copy
    }
}
