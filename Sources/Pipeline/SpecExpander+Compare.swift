/// Checks the `compare:` section against the stages and resolves its source and truth for every
/// combination of matrix values. Nothing here touches an instance: the section enters no fingerprint.
extension SpecExpander {
    mutating func resolveCompare(_ compare: CompareSpec, stages: [String: StageSpec]) -> CompareSpec {
        var resolved = compare
        let names = spec.stages.map(\.name)
        for method in compare.methods {
            let path = "compare.methods.\(method.label)"
            guard let stage = stages[method.stage] else {
                error(method.location, path, "no stage '\(method.stage)'" + DidYouMean.suffix(for: method.stage, in: names))
                continue
            }
            checkImageOutput(stage, method.output, at: method.location, path)
            let inputs = stage.inputs.map(\.name)
            if !inputs.contains("images") {
                error(method.location, path, "stage '\(stage.name)' has no input `images`: the comparison pairs each image a method "
                      + "made with the image it was made from, through that input (it has: \(inputs.isEmpty ? "none" : inputs.joined(separator: ", ")))")
            }
            if let metrics = method.metrics {
                let at = method.metricsLocation ?? method.location
                if let scorer = stages[metrics] {
                    if !outputs(of: scorer).contains("report") {
                        error(at, "\(path).metrics", "stage '\(metrics)' writes no `report` (per-image values, as compare_images writes)")
                    }
                } else {
                    error(at, "\(path).metrics", "no stage '\(metrics)'" + DidYouMean.suffix(for: metrics, in: names))
                }
            }
        }
        // The source and truth for each combination of the axes they depend on (not the whole
        // matrix, whose product may be large), as an input would be resolved there.
        var vars: [String: String] = [:]
        for (name, node) in spec.vars { vars[name] = node.scalar ?? "" }
        let texts = [compare.source] + (compare.truth.map { [$0] } ?? [])
        var axes = Set<String>()
        for axis in spec.matrix where (texts + vars.values).contains(where: { $0.contains("${matrix.\(axis.name)}") }) { axes.insert(axis.name) }
        for text in texts {
            let head = String(text.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
            if let stage = stages[head] { axes.formUnion(stage.foreach) }
        }
        resolved.axes = spec.matrix.map(\.name).filter(axes.contains)
        var combinations: [[(axis: String, value: String)]] = [[]]
        for axis in spec.matrix where axes.contains(axis.name) {
            combinations = combinations.flatMap { prefix in axis.values.map { prefix + [(axis.name, $0)] } }
        }
        for values in combinations {
            let substitution = Substitution(vars: vars, matrix: Dictionary(values.map { ($0.axis, $0.value) }, uniquingKeysWith: { a, _ in a }))
            let source = folder(compare.source, compare.sourceLocation, "compare.source", substitution, values, stages)
            let truth = compare.truth.map { folder($0, compare.truthLocation ?? compare.location, "compare.truth", substitution, values, stages) }
            guard let source, truth != .some(nil) else { continue }
            resolved.resolved[resolved.key(Dictionary(values.map { ($0.axis, $0.value) }, uniquingKeysWith: { a, _ in a }))] =
                ResolvedCompare(source: source, truth: truth ?? nil)
        }
        return resolved
    }

    /// A folder of the comparison: a workspace path, or an image output of a stage (or a path inside one).
    private mutating func folder(_ text: String, _ location: SourceLocation, _ path: String, _ substitution: Substitution,
                                 _ values: [(axis: String, value: String)], _ stages: [String: StageSpec]) -> InputSource? {
        guard let substituted = substitute(text, substitution, location, path),
              let source = reference(substituted, from: values, stages, location, path) else { return nil }
        if case .output(let id, let output, _) = source, let stage = stages[String(id.split(separator: "@").first ?? "")] {
            checkImageOutput(stage, output, at: location, path)
        }
        return source
    }

    private func outputs(of stage: StageSpec) -> [String] {
        kinds[stage.kind]?.outputs ?? stage.outputs.map(\.name)
    }

    /// `output` must be an output of `stage` that holds images.
    private mutating func checkImageOutput(_ stage: StageSpec, _ output: String, at location: SourceLocation, _ path: String) {
        let all = outputs(of: stage)
        guard all.contains(output) else {
            error(location, path, "stage '\(stage.name)' has no output '\(output)' (it has: \(all.joined(separator: ", ")))"
                  + DidYouMean.suffix(for: output, in: all))
            return
        }
        guard let kind = kinds[stage.kind] else { return }  // an unknown kind has its own error
        let images = kind.outputs == nil
            ? stage.outputs.filter { $0.node.scalar == "dir" }.map(\.name)
            : kind.imageOutputs
        if !images.contains(output) {
            let which = kinds.values.filter { !$0.imageOutputs.isEmpty }.map(\.kind).sorted()
            error(location, path, "output '\(output)' of stage '\(stage.name)' (\(stage.kind)) is not a folder of images; "
                  + (kind.outputs == nil ? "declare it `dir`" : "images come from \(which.joined(separator: ", ")) stages or a cmd's `dir` output"))
        }
    }
}
