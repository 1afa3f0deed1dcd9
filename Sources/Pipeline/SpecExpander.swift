import Foundation

/// Turns an `ExperimentSpec` into concrete `StageInstance`s: expands `foreach` over the matrix,
/// substitutes variables, checks parameters against each kind's descriptor, resolves references
/// and rejects cycles. Collects every error before failing. Pure: no I/O.
package struct SpecExpander {
    let spec: ExperimentSpec
    let kinds: [String: StageDescriptor]
    private var diagnostics: [SpecDiagnostic] = []
    /// Errors raised, counting repeats that `diagnostics` keeps once.
    private var errorCount = 0
    /// What a command template names (code words and invocations), by its text, and the problems
    /// of each stage's command references: the same for every instance of a stage, so worked out
    /// once rather than once per matrix instance (a tenth of expanding 10,000 instances).
    private var commandCode: [String: (detected: [String], invocations: ScriptInvocations)] = [:]
    var commandProblems: [String: [CommandProblem]] = [:]

    private init(spec: ExperimentSpec, kinds: [String: StageDescriptor]) {
        self.spec = spec
        self.kinds = kinds
    }

    /// Expands `spec` against the known stage kinds.
    /// `prior` are errors already found in the spec (structural ones); all are reported together, in file order.
    package static func expand(_ spec: ExperimentSpec, kinds: [StageDescriptor], prior: [SpecDiagnostic] = []) throws -> Experiment {
        var expander = SpecExpander(spec: spec, kinds: Dictionary(kinds.map { ($0.kind, $0) }, uniquingKeysWith: { a, _ in a }))
        var experiment = expander.run()
        let all = prior + expander.diagnostics.filter { !prior.contains($0) }
        let inOrder = all.sorted { ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column) }
        if all.contains(where: { !$0.isWarning }) { throw SpecError(inOrder) }
        experiment.warnings = inOrder
        return experiment
    }

    /// Loads, validates and expands the experiment file at `path`, reporting every error found.
    /// `overrides` replace the values of variables the file declares (`--set NAME=VALUE`).
    package static func load(_ path: String, kinds: [StageDescriptor], overrides: [String: String] = [:]) throws -> Experiment {
        var (spec, diagnostics) = try SpecLoader.loadCollecting(contentsOf: URL(fileURLWithPath: path))
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let index = spec.vars.firstIndex(where: { $0.name == name }) else {
                diagnostics.append(SpecDiagnostic(SourceLocation(file: "--set \(name)=\(value)", line: 0, column: 0), keyPath: "",
                    "no variable '\(name)' in \(path)" + DidYouMean.suffix(for: name, in: spec.vars.map(\.name))))
                continue
            }
            spec.vars[index].value = YAMLNode(.scalar(value, quoted: false), at: spec.vars[index].value.location)
        }
        return try expand(spec, kinds: kinds, prior: diagnostics)
    }

    mutating func error(_ location: SourceLocation, _ path: String, _ message: String, warning: Bool = false) {
        if !warning { errorCount += 1 }
        let diagnostic = SpecDiagnostic(location, keyPath: path, message, warning: warning)
        // A stage expanded over the matrix repeats its errors once per instance: report each once.
        if !diagnostics.contains(diagnostic) { diagnostics.append(diagnostic) }
    }

    private mutating func run() -> Experiment {
        let axes = Dictionary(spec.matrix.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let stagesByName = Dictionary(spec.stages.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var instances: [StageInstance] = []
        for stage in spec.stages {
            let path = "stages.\(stage.name)"
            guard let descriptor = kinds[stage.kind] else {
                if !stage.kind.isEmpty {
                    error(stage.kindLocation, "\(path).kind", "unknown stage kind '\(stage.kind)'" + DidYouMean.suffix(for: stage.kind, in: kinds.keys.sorted()))
                }
                continue
            }
            var valid = true
            for axis in stage.foreach where axes[axis] == nil {
                error(stage.foreachLocation ?? stage.location, "\(path).foreach", "unknown matrix axis '\(axis)'" + DidYouMean.suffix(for: axis, in: axes.keys.sorted()))
                valid = false
            }
            if Set(stage.foreach).count != stage.foreach.count {
                error(stage.foreachLocation ?? stage.location, "\(path).foreach", "an axis is named twice")
                valid = false
            }
            for (axis, values) in stage.foreachValues.sorted(by: { $0.key < $1.key }) {
                guard let known = axes[axis]?.values else { continue }
                for value in values where !known.contains(value) {
                    error(stage.foreachLocation ?? stage.location, "\(path).foreach.\(axis)",
                          "'\(value)' is not a value of axis '\(axis)'" + DidYouMean.suffix(for: value, in: known))
                    valid = false
                }
            }
            guard valid else { continue }
            let stageAxes = Self.axes(of: stage, in: axes)
            let selectors = Set(combinations(stageAxes).map { $0.map(\.value).joined(separator: ",") })
            for override in stage.overrides where !selectors.contains(override.selector) {
                error(override.location, "\(path).overrides.\(override.selector)",
                      "'\(override.selector)' names no instance of this stage" + DidYouMean.suffix(for: override.selector, in: selectors.sorted()))
                valid = false
            }
            guard valid else { continue }
            for combination in combinations(stageAxes) {
                if let instance = instance(stage, descriptor, combination, stagesByName) { instances.append(instance) }
            }
        }
        let ordered = order(instances)
        checkResults(spec, instances: ordered)
        var experiment = Experiment(name: spec.name, file: spec.file, description: spec.description, matrix: spec.matrix,
                                    instances: ordered, slurm: spec.slurm)
        experiment.results = spec.results
        experiment.results.compare = spec.results.compare.map { resolveCompare($0, stages: stagesByName) }
        return experiment
    }

    /// The axes a stage runs over, each cut to the values its `foreach` names (all when it names none).
    static func axes(of stage: StageSpec, in axes: [String: MatrixAxis]) -> [MatrixAxis] {
        stage.foreach.map { name in
            var axis = axes[name]!
            if let only = stage.foreachValues[name] { axis.values = axis.values.filter(only.contains) }
            return axis
        }
    }

    private func combinations(_ axes: [MatrixAxis]) -> [[(axis: String, value: String)]] {
        var result: [[(axis: String, value: String)]] = [[]]
        for axis in axes {
            result = result.flatMap { prefix in axis.values.map { prefix + [(axis.name, $0)] } }
        }
        return result
    }

    static func instanceID(_ name: String, _ values: [(axis: String, value: String)]) -> String {
        values.isEmpty ? name : name + "@" + values.map(\.value).joined(separator: ",")
    }

    private mutating func instance(_ stage: StageSpec, _ descriptor: StageDescriptor,
                                   _ values: [(axis: String, value: String)],
                                   _ stages: [String: StageSpec]) -> StageInstance? {
        let path = "stages.\(stage.name)"
        let matrix = Dictionary(values.map { ($0.axis, $0.value) }, uniquingKeysWith: { a, _ in a })
        var varValues: [String: String] = [:]
        let noVars = Substitution(vars: [:], matrix: matrix)
        for (name, node) in spec.vars {
            if let text = substitute(node.scalar ?? "", noVars, node.location, "vars.\(name)") { varValues[name] = text }
        }
        let substitution = Substitution(vars: varValues, matrix: matrix)
        let before = errorCount

        var params: [String: ParamValue] = [:]
        var written = stage.params
        let selector = values.map(\.value).joined(separator: ",")
        for override in stage.overrides where override.selector == selector {
            for (name, node) in override.params {
                written.removeAll { $0.name == name }
                written.append((name, node))
            }
        }
        // A value whose substitution failed has its error already; its type is not checked.
        var unreadable = Set<String>()
        for (name, node) in written {
            let errorsBefore = errorCount
            params[name] = value(node, substitution, "\(path).params.\(name)")
            if errorCount != errorsBefore { unreadable.insert(name) }
        }
        if let specs = descriptor.params {
            let known = specs.map(\.name)
            for (name, node) in written where !known.contains(name) {
                error(node.location, "\(path).params.\(name)", "unknown parameter '\(name)' for kind '\(descriptor.kind)'" + DidYouMean.suffix(for: name, in: known))
                params[name] = nil
            }
            for spec in specs where !unreadable.contains(spec.name) {
                if let given = params[spec.name] {
                    let location = written.first { $0.name == spec.name }!.node.location
                    if let accepted = spec.type.accept(given) {
                        params[spec.name] = accepted
                        if let violation = spec.rule?.violation(accepted) {
                            error(location, "\(path).params.\(spec.name)", violation)
                        } else if !spec.fingerprintsDefault, accepted == spec.defaultValue {
                            params[spec.name] = nil
                        }
                    } else {
                        error(location, "\(path).params.\(spec.name)", "expected \(spec.type), found \(given.typeName) '\(given)'")
                    }
                } else if let fallback = spec.defaultValue {
                    if spec.fingerprintsDefault { params[spec.name] = fallback }
                } else {
                    error(stage.location, "\(path).params", "missing required parameter '\(spec.name)' (\(spec.doc))")
                }
            }
        }

        let paramErrors = errorCount
        var code = CodeFiles()
        var inputLocations: [String: SourceLocation] = [:]
        var outputs = descriptor.outputs ?? []
        if descriptor.outputs == nil {
            guard let command = stage.command else {
                error(stage.location, path, "a '\(descriptor.kind)' stage needs `cmd`")
                return nil
            }
            var commandSubstitution = substitution
            commandSubstitution.keepEscapes = true
            params["cmd"] = value(command, commandSubstitution, "\(path).cmd")
            checkCommandReferences(command, stage, path)
            var declared: [String: ParamValue] = [:]
            for (name, node) in stage.outputs {
                declared[name] = value(node, substitution, "\(path).outputs.\(name)")
                if !["file", "dir"].contains(declared[name]?.stringValue ?? "") {
                    error(node.location, "\(path).outputs.\(name)", "expected `file` or `dir`, found '\(declared[name]?.description ?? "")'")
                }
            }
            outputs = stage.outputs.map(\.name)
            params["outputs"] = .map(declared)
            if let metrics = stage.metricsFile { params["metrics"] = value(metrics, substitution, "\(path).metrics") }
            if let declared = stage.code {
                code.declared = declared.paths.compactMap { item in
                    guard !item.path.hasPrefix("/"), !item.path.split(separator: "/").contains("..") else {
                        error(item.location, "\(path).code", "'\(item.path)' must be a path inside the workspace")
                        return nil
                    }
                    let resolved = substitute(item.path, substitution, item.location, "\(path).code")
                    if let resolved { inputLocations[CodeFiles.inputName(resolved)] = item.location }
                    return resolved
                }
            } else {
                let text = command.scalar ?? ""
                let named = commandCode[text] ?? (CodeFiles.detect(in: text), ScriptInvocations.find(in: text))
                commandCode[text] = named
                code.detected = named.detected
                code.invocations = named.invocations
            }
        } else {
            if let code = stage.code { error(code.location, "\(path).code", "only `cmd` stages take `code:`") }
            if let command = stage.command { error(command.location, "\(path).cmd", "only `cmd` stages take a command") }
            if let first = stage.outputs.first { error(first.node.location, "\(path).outputs", "the outputs of a '\(descriptor.kind)' stage are fixed: \(outputs.joined(separator: ", "))") }
            if let metrics = stage.metricsFile { error(metrics.location, "\(path).metrics", "only `cmd` stages name a metrics file") }
            if let first = stage.metricNames?.first { error(first.location, "\(path).metric_names", "only `cmd` stages declare their metric names; '\(descriptor.kind)' declares its own") }
        }

        var inputs: [String: InputSource] = [:]
        let knownInputs = descriptor.inputs?.map(\.name)
        for (name, node) in stage.inputs {
            let inputPath = "\(path).inputs.\(name)"
            if let knownInputs, !knownInputs.contains(name) {
                error(node.location, inputPath, "unknown input '\(name)' for kind '\(descriptor.kind)'" + DidYouMean.suffix(for: name, in: knownInputs))
                continue
            }
            guard let raw = node.scalar, node.typeName != "null" else {
                error(node.location, inputPath, "expected a path or STAGE.OUTPUT, found a \(node.typeName)")
                continue
            }
            guard let text = substitute(raw, substitution, node.location, inputPath) else { continue }
            inputLocations[name] = node.location
            if let source = reference(text, from: values, stages, node.location, inputPath) { inputs[name] = source }
        }
        if let declared = descriptor.inputs {
            for input in declared where input.required && stage.inputs.first(where: { $0.name == input.name }) == nil {
                error(stage.location, "\(path).inputs", "missing required input '\(input.name)'")
            }
        }
        // Every rule of the kind runs once the parameters themselves are sound, whatever else is wrong.
        if paramErrors == before, let check = descriptor.check {
            // The inputs as written: one whose reference is wrong has its own error, and is not "missing" too.
            let given = Set(stage.inputs.map(\.name).filter { knownInputs?.contains($0) ?? true })
            for problem in check(StageConfiguration(params: params, inputs: given)) {
                if let name = problem.param, let node = written.first(where: { $0.name == name })?.node {
                    error(node.location, "\(path).params.\(name)", problem.message)
                } else {
                    error(stage.location, problem.param.map { "\(path).params.\($0)" } ?? path, problem.message)
                }
            }
        }
        guard errorCount == before else { return nil }
        var instance = StageInstance(id: SpecExpander.instanceID(stage.name, values), stageName: stage.name, kind: descriptor.kind,
                                     kindVersion: descriptor.version, matrixValues: values, params: params, inputs: inputs,
                                     outputs: outputs, resources: stage.resources, location: stage.location)
        instance.code = code
        instance.inputLocations = inputLocations
        if let declare = descriptor.metrics {
            instance.metrics = declare(params)
        } else if let names = stage.metricNames {
            instance.metrics = names.map { MetricDeclaration($0.name) }
        }
        for spec in descriptor.params ?? [] {
            if let keywords = spec.fileUnless, let value = params[spec.name]?.stringValue, !keywords.contains(value) {
                instance.fileParams[spec.name] = value
            }
        }
        return instance
    }

    private static let referencePattern = try! NSRegularExpression(pattern: "^([A-Za-z_][A-Za-z0-9_-]*)(@[^./]+)?\\.([A-Za-z_][A-Za-z0-9_-]*)(/.*)?$")

    /// `STAGE.OUTPUT` or `STAGE@v1,v2.OUTPUT` when STAGE is a stage of this experiment; otherwise a path.
    mutating func reference(_ text: String, from values: [(axis: String, value: String)], _ stages: [String: StageSpec],
                                    _ location: SourceLocation, _ path: String) -> InputSource? {
        let range = NSRange(text.startIndex..., in: text)
        guard let match = SpecExpander.referencePattern.firstMatch(in: text, range: range) else { return .path(text) }
        let name = String(text[Range(match.range(at: 1), in: text)!])
        guard let target = stages[name] else {
            // `trian.model` beside a stage `train` with an output `model` is a misspelt reference, not a path.
            let output = String(text[Range(match.range(at: 3), in: text)!])
            if let meant = DidYouMean.closest(to: name, in: stages.keys.sorted()), let stage = stages[meant],
               let outputs = kinds[stage.kind].map({ $0.outputs ?? stage.outputs.map(\.name) }),
               outputs.contains(output) || DidYouMean.closest(to: output, in: outputs) != nil {
                error(location, path, "no stage '\(name)' (did you mean '\(meant)'?); for a file of that name write ./\(text)")
                return nil
            }
            return .path(text)
        }
        let output = String(text[Range(match.range(at: 3), in: text)!])
        let subpath = Range(match.range(at: 4), in: text).map { String(text[$0].dropFirst()) } ?? ""
        if subpath.split(separator: "/").contains("..") {
            error(location, path, "'\(text)' may not leave the output with '..'")
            return nil
        }
        if let kind = kinds[target.kind] {
            let outputs = kind.outputs ?? target.outputs.map(\.name)
            if !outputs.contains(output) {
                error(location, path, "stage '\(target.name)' has no output '\(output)' (it has: \(outputs.joined(separator: ", ")))" + DidYouMean.suffix(for: output, in: outputs))
                return nil
            }
        }
        if let explicit = Range(match.range(at: 2), in: text) {
            let given = text[explicit].dropFirst().split(separator: ",").map(String.init)
            let axes = target.foreach
            guard given.count == axes.count,
                  zip(axes, given).allSatisfy({ axis, value in
                      (target.foreachValues[axis] ?? spec.matrix.first { $0.name == axis }?.values ?? []).contains(value)
                  }) else {
                error(location, path, "'\(text)' names no instance of stage '\(target.name)' (it runs for each of: \(axes.joined(separator: ", ")))")
                return nil
            }
            return .output(stage: target.name + "@" + given.joined(separator: ","), output: output, subpath: subpath)
        }
        var targetValues: [(axis: String, value: String)] = []
        for axis in target.foreach {
            guard let value = values.first(where: { $0.axis == axis }) else {
                error(location, path, "stage '\(target.name)' runs for each '\(axis)'; this stage does not, so name one instance, e.g. \(target.name)@\(spec.matrix.first { $0.name == axis }?.values.first ?? "VALUE").\(output)")
                return nil
            }
            if let only = target.foreachValues[axis], !only.contains(value.value) {
                error(location, path, "stage '\(target.name)' runs only for \(axis) \(only.joined(separator: ", ")), not \(value.value); "
                      + "run this stage for those values too (foreach: {\(axis): [...]})")
                return nil
            }
            targetValues.append(value)
        }
        return .output(stage: SpecExpander.instanceID(target.name, targetValues), output: output, subpath: subpath)
    }

    mutating func substitute(_ text: String, _ substitution: Substitution, _ location: SourceLocation, _ path: String) -> String? {
        switch substitution.apply(text) {
        case .success(let out): return out
        case .failure(.undefined(let name)):
            let at = locate("${\(name)}", from: location)
            if name.hasPrefix("matrix."), spec.matrix.contains(where: { "matrix." + $0.name == name }) {
                let axis = name.dropFirst(7)
                error(at, path, "'${\(name)}': this stage does not run for each '\(axis)' (add it to its `foreach`)")
                return nil
            }
            let known = spec.vars.map(\.name) + spec.matrix.map { "matrix.\($0.name)" }
            error(at, path, "undefined variable '${\(name)}'" + DidYouMean.suffix(for: name, in: known))
        case .failure(.unterminated):
            error(location, path, "unterminated '${' in '\(text)'")
        }
        return nil
    }

    private mutating func value(_ node: YAMLNode, _ substitution: Substitution, _ path: String) -> ParamValue {
        switch node.value {
        case .scalar(let text, let quoted):
            guard let out = substitute(text, substitution, node.location, path) else { return .null }
            // A scalar that is exactly one `${var}` takes the type of the value ("${size}" → 64);
            // text around a substitution makes a string.
            let body = text.dropFirst(2).dropLast()
            if text.hasPrefix("${"), text.hasSuffix("}"), !body.contains("}"), !body.contains("$") {
                return ParamValue.fromScalar(out, quoted: false)
            }
            return ParamValue.fromScalar(out, quoted: quoted || out != text)
        case .sequence(let items):
            return .list(items.enumerated().map { value($0.element, substitution, "\(path)[\($0.offset)]") })
        case .mapping(let entries):
            var map: [String: ParamValue] = [:]
            for (k, v) in entries { map[k.scalar ?? ""] = value(v, substitution, "\(path).\(k.scalar ?? "")") }
            return .map(map)
        }
    }

    /// Orders instances so every one comes after those it reads from; reports unknown instances and cycles.
    private mutating func order(_ instances: [StageInstance]) -> [StageInstance] {
        let byID = Dictionary(instances.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for instance in instances {
            for (name, source) in instance.inputs.sorted(by: { $0.key < $1.key }) {
                if case .output(let stage, _, _) = source, byID[stage] == nil, diagnostics.isEmpty {
                    error(instance.location, "stages.\(instance.stageName).inputs.\(name)", "no stage instance '\(stage)'")
                }
            }
        }
        var state: [String: Int] = [:] // 1 visiting, 2 done
        var ordered: [StageInstance] = []
        var stack: [String] = []
        var reportedCycle = false
        func visit(_ id: String) {
            guard let instance = byID[id] else { return }
            if state[id] == 2 { return }
            if state[id] == 1 {
                if !reportedCycle, let start = stack.firstIndex(of: id) {
                    reportedCycle = true
                    let cycle = (stack[start...] + [id]).joined(separator: " → ")
                    error(instance.location, "stages.\(instance.stageName)", "dependency cycle: \(cycle)")
                }
                return
            }
            state[id] = 1
            stack.append(id)
            for upstream in instance.upstream.sorted() { visit(upstream) }
            stack.removeLast()
            state[id] = 2
            ordered.append(instance)
        }
        for instance in instances { visit(instance.id) }
        return ordered
    }
}
