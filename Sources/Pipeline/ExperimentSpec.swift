/// An experiment as written in its YAML file, before matrix expansion and substitution.
package struct ExperimentSpec: Sendable {
    package var file: String
    package var name: String
    package var description: String
    package var vars: [(name: String, value: YAMLNode)]
    package var matrix: [MatrixAxis]
    package var stages: [StageSpec]
    /// The `executor: slurm:` section, when the experiment has one.
    package var slurm: SlurmConfig?
    /// `replicates`, `comparisons`, `tables`, `compare`: how results are read (no part of any fingerprint).
    package var results: ResultsDesign
    /// The file's lines, so that errors about text inside a value (a `${…}` in a command) can
    /// point at the column where that text is written.
    package var sourceLines: [String] = []
}

/// A named axis of the experiment matrix, e.g. `artist: [monet, cezanne]`.
package struct MatrixAxis: Sendable {
    package var name: String
    package var values: [String]
    package var location: SourceLocation
}

/// One stage as written: values are kept as YAML nodes so errors after substitution still point at the file.
package struct StageSpec: Sendable {
    package var name: String
    package var location: SourceLocation
    package var kind: String
    package var kindLocation: SourceLocation
    package var inputs: [(name: String, node: YAMLNode)]
    package var params: [(name: String, node: YAMLNode)]
    package var foreach: [String]
    package var foreachLocation: SourceLocation?
    /// For axes of `foreach` written as `{axis: [values]}`: the only values the stage runs for
    /// (a zoo model that exists for one dataset of three); absent axes run for every value.
    package var foreachValues: [String: [String]] = [:]
    /// Per-instance parameter overrides, keyed by the instance's matrix values (`monet`, or `monet,64`).
    package var overrides: [(selector: String, location: SourceLocation, params: [(name: String, node: YAMLNode)])]
    package var resources: StageResources
    /// `cmd` stages only: the shell command, declared outputs (name → path) and an optional metrics file.
    package var command: YAMLNode?
    package var outputs: [(name: String, node: YAMLNode)]
    package var metricsFile: YAMLNode?
    /// `cmd` stages only: the metric names the command records (`metric_names:`), which results
    /// sections are checked against; nil when undeclared.
    package var metricNames: [(name: String, location: SourceLocation)]?
    /// `cmd` stages only: the files and folders whose content is the command's code (`code:`);
    /// nil: detected from the command line.
    package var code: (location: SourceLocation, paths: [(location: SourceLocation, path: String)])?
}

/// What a stage asks of the machine; the executor never runs more CPUs at once than `-j` allows.
package struct StageResources: Sendable, Hashable, Codable {
    package var cpus: Int
    package var memoryMB: Int?

    package init(cpus: Int = 1, memoryMB: Int? = nil) {
        self.cpus = cpus
        self.memoryMB = memoryMB
    }
}
