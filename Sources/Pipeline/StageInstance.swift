/// Where a stage input comes from.
public enum InputSource: Hashable, Sendable, CustomStringConvertible {
    /// A file or folder, relative to the workspace root or absolute.
    case path(String)
    /// A named output of another stage instance, or a path inside it (`scenes.data/monet/test`).
    case output(stage: String, output: String, subpath: String)

    public var description: String {
        switch self {
        case .path(let p): return p
        case .output(let stage, let output, let subpath): return "\(stage).\(output)" + (subpath.isEmpty ? "" : "/" + subpath)
        }
    }
}

/// A concrete stage after matrix expansion and substitution: what the planner fingerprints.
public struct StageInstance: Sendable {
    /// Stable, readable id: the stage name, plus `@value,value` for `foreach` stages.
    public var id: String
    public var stageName: String
    public var kind: String
    public var kindVersion: Int
    /// The matrix values this instance runs for, in the stage's `foreach` order.
    public var matrixValues: [(axis: String, value: String)]
    /// Canonical parameters, defaults filled in.
    public var params: [String: ParamValue]
    public var inputs: [String: InputSource]
    /// Parameters whose values name files (see `ParamSpec.fileUnless`): name → path.
    public var fileParams: [String: String] = [:]
    /// A `cmd` stage's code: workspace files and folders whose content is part of the fingerprint.
    public var code = CodeFiles()
    public var outputs: [String]
    public var resources: StageResources
    public var location: SourceLocation
    /// Where each input and each `code:` path is written in the spec, for errors about the file it names.
    public var inputLocations: [String: SourceLocation] = [:]
    /// The metrics this instance records, as its kind (or its `metric_names:`) declares them; nil: undeclared.
    public var metrics: [MetricDeclaration]?

    /// Whether `selector` names this instance: its id (`train@monet`) or its stage (`train`).
    public func matches(_ selector: String) -> Bool { id == selector || stageName == selector }

    /// Instances this one reads outputs from.
    public var upstream: Set<String> {
        Set(inputs.values.compactMap { if case .output(let s, _, _) = $0 { return s } else { return nil } })
    }
}

/// A validated, expanded experiment: instances in a dependency-respecting order.
public struct Experiment: Sendable {
    public var name: String
    public var file: String
    public var description: String
    public var matrix: [MatrixAxis]
    public var instances: [StageInstance]
    public var slurm: SlurmConfig?
    public var results = ResultsDesign()
    /// Problems that do not stop a run (a results section naming metrics a `cmd` does not declare).
    public var warnings: [SpecDiagnostic] = []

    public func instance(_ id: String) -> StageInstance? { instances.first { $0.id == id } }

    /// The instances `ids` and everything they read from, in the same order: what `--only` plans
    /// (so inputs of unrelated stages are not even hashed).
    public func restricted(to ids: Set<String>) -> Experiment {
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
