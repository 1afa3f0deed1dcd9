/// The spec's results sections: `replicates`, `comparisons`, `tables`.
extension SpecLoader {
    mutating func replicates(_ node: YAMLNode, into design: inout ResultsDesign) {
        guard let items = node.sequence else {
            error(node, "replicates", "expected a list of matrix axes, found a \(node.typeName)")
            return
        }
        design.replicates = items.enumerated().compactMap { i, item in string(item, "replicates[\(i)]") }
    }

    mutating func comparisons(_ node: YAMLNode, into design: inout ResultsDesign) {
        for (name, value) in namedValues(node, "comparisons") {
            let path = "comparisons.\(name)"
            var a: String?, b: String?, better = Direction.higher, labels: (String, String)?, perItem = false
            var aLocation: SourceLocation?, bLocation: SourceLocation?
            for (key, field) in entries(value, path, allowed: ["a", "b", "better", "labels", "over"]) {
                let fieldPath = "\(path).\(key.scalar!)"
                switch key.scalar! {
                case "a": a = string(field, fieldPath); aLocation = field.location
                case "b": b = string(field, fieldPath); bLocation = field.location
                case "better": better = direction(field, fieldPath) ?? better
                case "over":
                    switch string(field, fieldPath) {
                    case "images"?: perItem = true
                    case "replicates"?: perItem = false
                    case let other?: error(field, fieldPath, "expected `replicates` or `images`, found '\(other)'")
                    case nil: break
                    }
                default:
                    let words = field.sequence?.compactMap(\.scalar) ?? []
                    if words.count == 2 { labels = (words[0], words[1]) } else {
                        error(field, fieldPath, "expected two labels, [a, b]")
                    }
                }
            }
            guard let a, let b else {
                error(value, path, "a comparison needs `a` and `b` (columns such as ours_vs_truth.psnr)")
                continue
            }
            let label = { (column: String) in String(column.split(separator: ".").first ?? Substring(column)) }
            var comparison = ComparisonSpec(name: name, a: a, b: b, better: better, labels: labels ?? (label(a), label(b)),
                                            location: value.location)
            comparison.perItem = perItem
            comparison.aLocation = aLocation
            comparison.bLocation = bLocation
            design.comparisons.append(comparison)
        }
    }

    mutating func tables(_ node: YAMLNode, into design: inout ResultsDesign) {
        for (name, value) in namedValues(node, "tables") {
            let path = "tables.\(name)"
            var table = TableSpec(name: name, caption: name, rows: [], axis: nil, metrics: [], better: .lower, location: value.location)
            for (key, field) in entries(value, path, allowed: ["caption", "rows", "columns", "better"]) {
                let fieldPath = "\(path).\(key.scalar!)"
                switch key.scalar! {
                case "caption": table.caption = string(field, fieldPath) ?? name
                case "rows":
                    table.rows = namedValues(field, fieldPath).compactMap { label, stage in
                        table.rowLocations[label] = stage.location
                        return string(stage, "\(fieldPath).\(label)").map { (label, $0) }
                    }
                case "columns":
                    for (ck, cv) in entries(field, fieldPath, allowed: ["axis", "metrics"]) {
                        if ck.scalar == "axis" {
                            table.axis = string(cv, "\(fieldPath).axis")
                        } else if let items = cv.sequence {
                            table.metrics = items.enumerated().compactMap { i, item in
                                let name = string(item, "\(fieldPath).metrics[\(i)]")
                                if let name { table.metricLocations[name] = item.location }
                                return name
                            }
                        } else {
                            error(cv, "\(fieldPath).metrics", "expected a list of metric names or patterns")
                        }
                    }
                default: table.better = direction(field, fieldPath) ?? table.better
                }
            }
            if table.rows.isEmpty { error(value, path, "a table needs `rows` (label: stage)") }
            if table.metrics.isEmpty { error(value, path, "a table needs `columns: {metrics: [...]}`") }
            design.tables.append(table)
        }
    }

    private mutating func direction(_ node: YAMLNode, _ path: String) -> Direction? {
        guard let text = string(node, path) else { return nil }
        guard let direction = Direction(rawValue: text) else {
            error(node, path, "expected `higher` or `lower`, found '\(text)'")
            return nil
        }
        return direction
    }
}
