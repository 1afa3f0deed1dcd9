/// An experiment as written in its YAML file, before matrix expansion and substitution.
public struct ExperimentSpec: Sendable {
    public var file: String
    public var name: String
    public var description: String
    public var vars: [(name: String, value: YAMLNode)]
    public var matrix: [MatrixAxis]
    public var stages: [StageSpec]
    /// The `executor: slurm:` section, when the experiment has one.
    public var slurm: SlurmConfig?
    /// `replicates`, `comparisons`, `tables`: how results are read (no part of any fingerprint).
    public var results: ResultsDesign
    /// The file's lines, so that errors about text inside a value (a `${…}` in a command) can
    /// point at the column where that text is written.
    public var sourceLines: [String] = []
}

/// A named axis of the experiment matrix, e.g. `artist: [monet, cezanne]`.
public struct MatrixAxis: Sendable {
    public var name: String
    public var values: [String]
    public var location: SourceLocation
}

/// One stage as written: values are kept as YAML nodes so errors after substitution still point at the file.
public struct StageSpec: Sendable {
    public var name: String
    public var location: SourceLocation
    public var kind: String
    public var kindLocation: SourceLocation
    public var inputs: [(name: String, node: YAMLNode)]
    public var params: [(name: String, node: YAMLNode)]
    public var foreach: [String]
    public var foreachLocation: SourceLocation?
    /// For axes of `foreach` written as `{axis: [values]}`: the only values the stage runs for
    /// (a zoo model that exists for one dataset of three); absent axes run for every value.
    public var foreachValues: [String: [String]] = [:]
    /// Per-instance parameter overrides, keyed by the instance's matrix values (`monet`, or `monet,64`).
    public var overrides: [(selector: String, location: SourceLocation, params: [(name: String, node: YAMLNode)])]
    public var resources: StageResources
    /// `cmd` stages only: the shell command, declared outputs (name → path) and an optional metrics file.
    public var command: YAMLNode?
    public var outputs: [(name: String, node: YAMLNode)]
    public var metricsFile: YAMLNode?
    /// `cmd` stages only: the metric names the command records (`metric_names:`), which results
    /// sections are checked against; nil when undeclared.
    public var metricNames: [(name: String, location: SourceLocation)]?
    /// `cmd` stages only: the files and folders whose content is the command's code (`code:`);
    /// nil: detected from the command line.
    public var code: (location: SourceLocation, paths: [(location: SourceLocation, path: String)])?
}

/// What a stage asks of the machine; the executor never runs more CPUs at once than `-j` allows.
public struct StageResources: Sendable, Hashable, Codable {
    public var cpus: Int
    public var memoryMB: Int?

    public init(cpus: Int = 1, memoryMB: Int? = nil) {
        self.cpus = cpus
        self.memoryMB = memoryMB
    }
}
