/// The type a stage parameter accepts.
package indirect enum ParamType: Sendable, Hashable, CustomStringConvertible {
    case bool, int, number, string, any
    case list(ParamType)
    case oneOf([String])

    package var description: String {
        switch self {
        case .bool: return "boolean"
        case .int: return "integer"
        case .number: return "number"
        case .string: return "string"
        case .any: return "any value"
        case .list(let t): return "list of \(t)"
        case .oneOf(let options): return "one of " + options.joined(separator: ", ")
        }
    }

    /// Checks `value` and returns it normalised (integers widen to numbers where numbers are wanted).
    func accept(_ value: ParamValue) -> ParamValue? {
        switch (self, value) {
        case (.any, _): return value
        case (.bool, .bool), (.int, .int), (.string, .string): return value
        case (.number, .int(let i)): return .double(Double(i))
        case (.number, .double): return value
        case (.oneOf(let options), .string(let s)): return options.contains(s) ? value : nil
        case (.list(let element), .list(let items)):
            var out: [ParamValue] = []
            for item in items {
                guard let accepted = element.accept(item) else { return nil }
                out.append(accepted)
            }
            return .list(out)
        default: return nil
        }
    }
}

/// One parameter a stage kind accepts, with its default and where the default comes from.
package struct ParamSpec: Sendable {
    package var name: String
    package var type: ParamType
    /// nil means the parameter is required.
    package var defaultValue: ParamValue?
    package var doc: String
    /// For a string parameter that may name a file: the keywords that do not (`official`, `random`).
    /// Any other value is a path whose content the planner hashes into the fingerprint, as it does
    /// for inputs, so replacing the file reruns the stage.
    package var fileUnless: [String]?
    /// What the value must satisfy beyond its type, checked at load time.
    package var rule: ParamRule?
    /// False for a parameter added after specs were written, whose default changes nothing: it is
    /// then left out of the stage's params (and so of its fingerprint) when it holds its default,
    /// written or not, and existing specs keep their fingerprints. Readers fall back to the default.
    package var fingerprintsDefault: Bool

    package init(_ name: String, _ type: ParamType, default defaultValue: ParamValue?, doc: String,
                fileUnless: [String]? = nil, rule: ParamRule? = nil, fingerprintsDefault: Bool = true) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.doc = doc
        self.fileUnless = fileUnless
        self.rule = rule
        self.fingerprintsDefault = fingerprintsDefault
    }
}

/// What a stage kind declares about itself: the pipeline validates specs against it.
package struct StageDescriptor: Sendable {
    package var kind: String
    /// Bumped whenever the implementation changes what it computes; part of every fingerprint.
    package var version: Int
    package var summary: String
    /// nil: any parameters are accepted (the `cmd` kind, whose parameters only feed its command line).
    package var params: [ParamSpec]?
    /// Named inputs; `required` ones must be given. nil: any names (`cmd`, contact sheets).
    package var inputs: [(name: String, required: Bool)]?
    /// Named outputs; nil when the user declares them (the `cmd` kind).
    package var outputs: [String]?
    /// The outputs that are folders of images (`translate`'s `images`, a dataset's `data`): what
    /// the `compare:` view may show. A `cmd` stage's `dir` outputs may hold anything, so all count.
    package var imageOutputs: [String] = []
    /// The kind's check of a whole configuration (cross-parameter rules, inputs a setting needs): a
    /// pure function the spec loader runs on every instance, so a bad configuration fails before
    /// anything runs. Types, rules and required parameters are checked before it is called.
    package var check: (@Sendable (StageConfiguration) -> [ConfigurationProblem])?
    /// The metrics the kind records under a configuration (names may depend on parameters: the FID
    /// taps, the `_random_weights` suffix); the spec loader checks results sections against them.
    /// nil: not declared (the `cmd` kind, whose stages declare theirs with `metric_names:`).
    package var metrics: (@Sendable ([String: ParamValue]) -> [MetricDeclaration])?

    package init(kind: String, version: Int, summary: String, params: [ParamSpec]?,
                inputs: [(name: String, required: Bool)]?, outputs: [String]?, imageOutputs: [String] = [],
                check: (@Sendable (StageConfiguration) -> [ConfigurationProblem])? = nil,
                metrics: (@Sendable ([String: ParamValue]) -> [MetricDeclaration])? = nil) {
        self.kind = kind
        self.version = version
        self.summary = summary
        self.params = params
        self.inputs = inputs
        self.outputs = outputs
        self.imageOutputs = imageOutputs
        self.check = check
        self.metrics = metrics
    }
}

/// A metric a stage kind records. In `name`, `*` stands for a part known only when the stage runs
/// (a scale's or an index's name). Bookkeeping metrics (image counts, iterations, bytes) describe
/// the run rather than the result, and the default results view leaves them out.
package struct MetricDeclaration: Sendable, Hashable {
    package var name: String
    package var bookkeeping: Bool

    package init(_ name: String, bookkeeping: Bool = false) {
        self.name = name
        self.bookkeeping = bookkeeping
    }

    /// Declarations of bookkeeping metrics, one per name.
    package static func bookkeeping(_ names: String...) -> [MetricDeclaration] { names.map { MetricDeclaration($0, bookkeeping: true) } }

    /// Declarations of result metrics, one per name.
    package static func results(_ names: String...) -> [MetricDeclaration] { names.map { MetricDeclaration($0) } }
}
