import Foundation

/// Reads an experiment file into an `ExperimentSpec`, collecting every structural error.
package struct SpecLoader {
    static let topKeys = ["experiment", "description", "vars", "matrix", "stages", "executor", "replicates", "comparisons", "tables", "compare"]
    static let stageKeys = ["kind", "inputs", "params", "overrides", "foreach", "resources", "cmd", "outputs", "metrics", "metric_names", "code"]
    static let resourceKeys = ["cpus", "memory"]

    private var diagnostics: [SpecDiagnostic] = []
    private let file: String

    private init(file: String) { self.file = file }

    /// Loads and structurally validates the spec at `url`.
    package static func load(contentsOf url: URL) throws -> ExperimentSpec {
        let (spec, diagnostics) = try loadCollecting(contentsOf: url)
        if !diagnostics.isEmpty { throw SpecError(diagnostics) }
        return spec
    }

    /// Loads the spec at `url`, returning structural errors instead of throwing them.
    package static func loadCollecting(contentsOf url: URL) throws -> (ExperimentSpec, [SpecDiagnostic]) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw SpecError([SpecDiagnostic(SourceLocation(file: url.path, line: 0, column: 0), keyPath: "", "cannot read the file: \(error.localizedDescription)")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SpecError([SpecDiagnostic(SourceLocation(file: url.path, line: 1, column: 1), keyPath: "", "the file is not UTF-8 text")])
        }
        return try parseCollecting(text, file: url.path)
    }

    /// Parses spec text; `file` names it in errors.
    package static func parse(_ text: String, file: String) throws -> ExperimentSpec {
        let (spec, diagnostics) = try parseCollecting(text, file: file)
        if !diagnostics.isEmpty { throw SpecError(diagnostics) }
        return spec
    }

    /// Parses spec text, returning what could be read together with the structural errors found,
    /// so that later validation can add its own errors to the same report. YAML syntax errors throw.
    package static func parseCollecting(_ text: String, file: String) throws -> (ExperimentSpec, [SpecDiagnostic]) {
        let root = try YAMLParser.parse(text, file: file)
        var loader = SpecLoader(file: file)
        var spec = loader.experiment(root)
        spec.sourceLines = text.components(separatedBy: "\n")
        return (spec, loader.diagnostics)
    }

    mutating func error(_ node: YAMLNode, _ path: String, _ message: String) {
        diagnostics.append(SpecDiagnostic(node.location, keyPath: path, message))
    }

    /// The entries of a mapping whose keys are `allowed`; other keys are errors. With `recover`, a
    /// misspelt key close to an allowed one (`for_each`) is still reported, then read as the key it
    /// is close to, so that what depends on it (`${matrix.artist}`) does not report errors of its own.
    mutating func entries(_ node: YAMLNode, _ path: String, allowed: [String], recover: Bool = false) -> [(key: YAMLNode, value: YAMLNode)] {
        guard let map = node.mapping else {
            error(node, path, "expected a mapping, found a \(node.typeName)")
            return []
        }
        var kept: [(key: YAMLNode, value: YAMLNode)] = []
        for entry in map {
            let key = entry.key.scalar ?? ""
            if allowed.contains(key) {
                kept.append(entry)
            } else {
                let meant = DidYouMean.closest(to: key, in: allowed)
                error(entry.key, join(path, key), "unknown key '\(key)'" + (meant.map { " (did you mean '\($0)'?)" } ?? ""))
                if recover, let meant, !map.contains(where: { $0.key.scalar == meant }) {
                    kept.append((YAMLNode(.scalar(meant, quoted: false), at: entry.key.location), entry.value))
                }
            }
        }
        return kept
    }

    mutating func string(_ node: YAMLNode, _ path: String) -> String? {
        guard let text = node.scalar, node.typeName != "null" else {
            error(node, path, "expected a string, found a \(node.typeName)")
            return nil
        }
        return text
    }

    private func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private static let namePattern = try! NSRegularExpression(pattern: "^[A-Za-z_][A-Za-z0-9_-]*$")

    private func validName(_ name: String) -> Bool {
        SpecLoader.namePattern.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
    }

    private mutating func experiment(_ root: YAMLNode) -> ExperimentSpec {
        var spec = ExperimentSpec(file: file, name: "", description: "", vars: [], matrix: [], stages: [], slurm: nil, results: ResultsDesign())
        var sawName = false, sawStages = false
        for (key, value) in entries(root, "", allowed: SpecLoader.topKeys) {
            switch key.scalar! {
            case "experiment":
                if let name = string(value, "experiment") {
                    if validName(name) { spec.name = name } else {
                        error(value, "experiment", "'\(name)' is not a valid name (letters, digits, '_' and '-', starting with a letter)")
                    }
                }
                sawName = true
            case "description":
                spec.description = string(value, "description") ?? ""
            case "vars":
                for (k, v) in entries(value, "vars", allowed: value.mapping?.compactMap { $0.key.scalar } ?? []) {
                    if v.scalar == nil || v.typeName == "null" {
                        error(v, "vars.\(k.scalar!)", "a variable must be a scalar, found a \(v.typeName)")
                    } else {
                        spec.vars.append((k.scalar!, v))
                    }
                }
            case "matrix":
                spec.matrix = matrix(value)
            case "stages":
                sawStages = true
                spec.stages = stages(value)
            case "replicates": replicates(value, into: &spec.results)
            case "comparisons": comparisons(value, into: &spec.results)
            case "tables": tables(value, into: &spec.results)
            case "compare": compare(value, into: &spec.results)
            case "executor":
                for (k, v) in entries(value, "executor", allowed: ["slurm"]) where k.scalar == "slurm" {
                    spec.slurm = SlurmConfig.parse(v, path: "executor.slurm") { node, path, message in
                        diagnostics.append(SpecDiagnostic(node.location, keyPath: path, message))
                    }
                }
            default: break
            }
        }
        if root.mapping != nil {
            if !sawName { error(root, "experiment", "missing the experiment's name (`experiment: NAME`)") }
            if !sawStages { error(root, "stages", "missing `stages`") }
        }
        return spec
    }

    private mutating func matrix(_ node: YAMLNode) -> [MatrixAxis] {
        var axes: [MatrixAxis] = []
        for (key, value) in entries(node, "matrix", allowed: node.mapping?.compactMap { $0.key.scalar } ?? []) {
            let name = key.scalar!
            let path = "matrix.\(name)"
            if !validName(name) { error(key, path, "'\(name)' is not a valid axis name") }
            guard let items = value.sequence else {
                error(value, path, "expected a list of values, found a \(value.typeName)")
                continue
            }
            if items.isEmpty { error(value, path, "a matrix axis needs at least one value") }
            var values: [String] = []
            for (i, item) in items.enumerated() {
                guard let text = item.scalar, item.typeName != "null" else {
                    error(item, "\(path)[\(i)]", "matrix values must be scalars, found a \(item.typeName)")
                    continue
                }
                if values.contains(text) { error(item, "\(path)[\(i)]", "duplicate value '\(text)'") }
                if text.contains(where: { "@,./ ".contains($0) }) {
                    error(item, "\(path)[\(i)]", "matrix value '\(text)' may not contain '@', ',', '.', '/' or spaces (it becomes part of stage names)")
                }
                values.append(text)
            }
            axes.append(MatrixAxis(name: name, values: values, location: key.location))
        }
        return axes
    }

    private mutating func stages(_ node: YAMLNode) -> [StageSpec] {
        guard let map = node.mapping else {
            error(node, "stages", "expected a mapping of stage names to stages, found a \(node.typeName)")
            return []
        }
        if map.isEmpty { error(node, "stages", "an experiment needs at least one stage") }
        var out: [StageSpec] = []
        for (key, value) in map {
            let name = key.scalar ?? ""
            let path = "stages.\(name)"
            if !validName(name) {
                error(key, path, "'\(name)' is not a valid stage name (letters, digits, '_' and '-', starting with a letter)")
            }
            if let stage = stage(name, key: key, value, path) { out.append(stage) }
        }
        return out
    }

    private mutating func stage(_ name: String, key: YAMLNode, _ node: YAMLNode, _ path: String) -> StageSpec? {
        var stage = StageSpec(name: name, location: key.location, kind: "", kindLocation: key.location, inputs: [], params: [],
                              foreach: [], foreachLocation: nil, overrides: [], resources: StageResources(), command: nil, outputs: [], metricsFile: nil, code: nil)
        var sawKind = false
        guard node.mapping != nil else {
            error(node, path, "expected a mapping with at least `kind`, found a \(node.typeName)")
            return nil
        }
        for (k, value) in entries(node, path, allowed: SpecLoader.stageKeys, recover: true) {
            let field = k.scalar!
            let fieldPath = "\(path).\(field)"
            switch field {
            case "kind":
                sawKind = true
                stage.kind = string(value, fieldPath) ?? ""
                stage.kindLocation = value.location
            case "inputs":
                stage.inputs = namedValues(value, fieldPath)
            case "params":
                stage.params = namedValues(value, fieldPath)
            case "overrides":
                for (selector, node) in namedValues(value, fieldPath) {
                    stage.overrides.append((selector, node.location, namedValues(node, "\(fieldPath).\(selector)")))
                }
            case "outputs":
                stage.outputs = namedValues(value, fieldPath)
            case "foreach":
                stage.foreachLocation = value.location
                if let one = value.scalar, value.typeName != "null" {
                    stage.foreach = [one]
                } else if let items = value.sequence {
                    stage.foreach = items.compactMap { string($0, fieldPath) }
                } else if value.mapping != nil {
                    // {axis: [values]}: only those values of the axis (a list, or one value).
                    for (axis, node) in namedValues(value, fieldPath) {
                        stage.foreach.append(axis)
                        if let one = node.scalar, node.typeName != "null" {
                            stage.foreachValues[axis] = [one]
                        } else if let items = node.sequence, !items.isEmpty {
                            stage.foreachValues[axis] = items.compactMap { string($0, "\(fieldPath).\(axis)") }
                        } else {
                            error(node, "\(fieldPath).\(axis)", "expected a value of the axis or a non-empty list of them, found a \(node.typeName)")
                        }
                    }
                } else {
                    error(value, fieldPath, "expected an axis name, a list of axis names or {axis: [values]}, found a \(value.typeName)")
                }
            case "resources":
                for (rk, rv) in entries(value, fieldPath, allowed: SpecLoader.resourceKeys) {
                    let resourcePath = "\(fieldPath).\(rk.scalar!)"
                    if rk.scalar == "cpus" {
                        if let n = rv.scalar.flatMap(Int.init), n >= 1 { stage.resources.cpus = n } else {
                            error(rv, resourcePath, "expected a whole number of CPUs ≥ 1")
                        }
                    } else {
                        if let mb = rv.scalar.flatMap(SpecLoader.megabytes) { stage.resources.memoryMB = mb } else {
                            error(rv, resourcePath, "expected a size such as 512M or 4G")
                        }
                    }
                }
            case "cmd":
                if string(value, fieldPath) != nil { stage.command = value }
            case "metrics":
                if string(value, fieldPath) != nil { stage.metricsFile = value }
            case "metric_names":
                if let items = value.sequence {
                    stage.metricNames = items.compactMap { item in string(item, fieldPath).map { ($0, item.location) } }
                } else {
                    error(value, fieldPath, "expected a list of the metric names the command records, found a \(value.typeName)")
                }
            case "code":
                if let items = value.sequence {
                    stage.code = (value.location, items.compactMap { item in string(item, fieldPath).map { (item.location, $0) } })
                } else {
                    error(value, fieldPath, "expected a list of files or folders of the workspace, found a \(value.typeName)")
                }
            default: break
            }
        }
        if !sawKind { error(key, "\(path).kind", "missing `kind`") }
        return stage
    }

    mutating func namedValues(_ node: YAMLNode, _ path: String) -> [(name: String, node: YAMLNode)] {
        guard let map = node.mapping else {
            error(node, path, "expected a mapping of names to values, found a \(node.typeName)")
            return []
        }
        return map.map { ($0.key.scalar ?? "", $0.value) }
    }

    /// "512M", "4G", "100" (megabytes) → megabytes.
    static func megabytes(_ text: String) -> Int? {
        let t = text.uppercased().replacingOccurrences(of: "B", with: "")
        if let n = Int(t) { return n }
        guard let unit = t.last, let n = Double(t.dropLast()) else { return nil }
        switch unit {
        case "K": return Int(n / 1024)
        case "M": return Int(n)
        case "G": return Int(n * 1024)
        default: return nil
        }
    }
}
