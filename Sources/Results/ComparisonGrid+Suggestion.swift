import Pipeline

extension ComparisonGrid {
    /// A `compare:` section for an experiment that declares none: its stages that make images from
    /// an input `images` become the methods, the folder the first one reads the source (written back
    /// with `${matrix.…}` where a path segment is a matrix value).
    package static func suggestion(for experiment: Experiment) -> String {
        var methods: [String] = [], source: InputSource?, values: [(axis: String, value: String)] = []
        for instance in experiment.instances where instance.inputs["images"] != nil && instance.outputs.contains("images") {
            if methods.contains(instance.stageName) { continue }
            methods.append(instance.stageName)
            if source == nil { source = instance.inputs["images"]; values = instance.matrixValues }
        }
        func written(_ source: InputSource?) -> String {
            guard let source else { return "STAGE.OUTPUT/folder   # or a path: the images every row starts from" }
            var text = source.description
            if let at = text.firstIndex(of: "@"), let dot = text[at...].firstIndex(of: ".") { text.removeSubrange(at..<dot) }
            let segments = text.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
                values.first { String(segment) == $0.value }.map { "${matrix.\($0.axis)}" } ?? String(segment)
            }
            return segments.joined(separator: "/")
        }
        var lines = ["compare:", "  source: \(written(source))", "  methods:                 # label: a stage whose output `images` it made from the source"]
        lines += methods.isEmpty ? ["    Method: translate"] : methods.map { "    \($0): \($0)" }
        lines += ["  truth: FOLDER            # optional: the ground truth, paired by file stem (match: stem)"]
        return lines.joined(separator: "\n") + "\n"
    }
}
