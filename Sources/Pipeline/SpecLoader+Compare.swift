/// The spec's `compare:` section.
extension SpecLoader {
    static let compareKeys = ["source", "methods", "truth", "match", "labels"]

    mutating func compare(_ node: YAMLNode, into design: inout ResultsDesign) {
        var source: (String, SourceLocation)?, truth: (String, SourceLocation)?
        var methods: [CompareMethod] = [], sawMethods = false, match = CompareMatch.stem, labels: (String, String)?
        for (key, field) in entries(node, "compare", allowed: SpecLoader.compareKeys, recover: true) {
            let path = "compare.\(key.scalar!)"
            switch key.scalar! {
            case "source": source = string(field, path).map { ($0, field.location) }
            case "truth": truth = string(field, path).map { ($0, field.location) }
            case "match":
                guard let text = string(field, path) else { break }
                if let rule = CompareMatch(rawValue: text) { match = rule } else {
                    error(field, path, "expected one of \(CompareMatch.allCases.map(\.rawValue).joined(separator: ", ")), found '\(text)'"
                          + DidYouMean.suffix(for: text, in: CompareMatch.allCases.map(\.rawValue)))
                }
            case "labels":
                let words = field.sequence?.compactMap(\.scalar) ?? []
                if words.count == 2 { labels = (words[0], words[1]) } else {
                    error(field, path, "expected two labels, [source, truth] (default [painting, truth])")
                }
            default: sawMethods = true; methods = compareMethods(field, path)
            }
        }
        guard let source else {
            error(node, "compare.source", "`compare` needs `source`: the images every row starts from (a path or STAGE.OUTPUT)")
            return
        }
        if !sawMethods {
            error(node, "compare.methods", "`compare` needs `methods`: label: stage, one per column")
        }
        var spec = CompareSpec(source: source.0, sourceLocation: source.1, location: node.location)
        spec.methods = methods
        spec.truth = truth?.0
        spec.truthLocation = truth?.1
        spec.match = match
        if let labels { (spec.sourceLabel, spec.truthLabel) = labels }
        design.compare = spec
    }

    /// `methods: {LABEL: STAGE | STAGE.OUTPUT | {images: STAGE[.OUTPUT], metrics: STAGE}}`, in column order.
    private mutating func compareMethods(_ node: YAMLNode, _ path: String) -> [CompareMethod] {
        var methods: [CompareMethod] = []
        for (label, value) in namedValues(node, path) {
            let methodPath = "\(path).\(label)"
            var images: (String, SourceLocation)?, metrics: (String, SourceLocation)?
            if value.mapping != nil {
                for (key, field) in entries(value, methodPath, allowed: ["images", "metrics"], recover: true) {
                    let text = string(field, "\(methodPath).\(key.scalar!)").map { ($0, field.location) }
                    if key.scalar == "images" { images = text } else { metrics = text }
                }
                if images == nil { error(value, "\(methodPath).images", "a method needs `images`: the stage (or STAGE.OUTPUT) that made them") }
            } else {
                images = string(value, methodPath).map { ($0, value.location) }
            }
            guard let (text, location) = images else { continue }
            if methods.contains(where: { $0.label == label }) {
                error(value, methodPath, "the label '\(label)' is used twice")
                continue
            }
            let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
            var method = CompareMethod(label: label, stage: parts.first ?? text, output: parts.count > 1 ? parts[1] : "images", location: location)
            method.metrics = metrics?.0
            method.metricsLocation = metrics?.1
            methods.append(method)
        }
        return methods
    }
}
