import Foundation
import Pipeline

/// One painting across every method: the `compare:` section of an experiment laid out for one
/// combination of the non-replicate axes (an artist) and one replicate (a seed) or all of them.
/// Rows are the source's images; a method's cell is the image it made from that row's image,
/// found through the declared lineage (the method's input `images` must be the row's source folder,
/// and the file keeps the source file's stem), the truth by the section's `match` rule. Reads the
/// store's files and each scorer's per-image `report`; writes nothing. The live view's Compare page
/// and the HTML report both draw it.
package struct ComparisonGrid: Sendable {
    package struct Column: Sendable, Codable, Equatable {
        package var label: String
        /// `source`, `method` or `truth`.
        package var role: String
        /// The stage instance whose images the column shows; nil for a workspace folder.
        package var stage: String?
        /// The replicate values (`2`) of a method that has them.
        package var replicate: String?
    }

    package struct Cell: Sendable {
        package var file: URL
        /// The file's path under the store's `cache/` (fingerprint, output, …), nil outside the store.
        package var store: [String]?
        /// Per-image values from the column's scorer (`psnr`, `ssim`), in its report's order.
        package var metrics: [(name: String, value: Double)]
    }

    package struct Row: Sendable {
        /// The source image's path inside the source folder.
        package var name: String
        package var cells: [Cell?]
    }

    package var columns: [Column]
    package var rows: [Row]
    /// Rows in all (the page shows `rows` from `offset`).
    package var total: Int
    package var offset: Int
    /// What could not be shown, and why (a stage not run yet, a method made from other images).
    package var notes: [String]
}

extension ComparisonGrid {
    /// Lays out the comparison of an experiment whose stages' outputs are stored under `fingerprints`.
    package struct Builder: Sendable {
        package var experiment: Experiment
        /// Instance id → the fingerprint its outputs are stored under.
        package var fingerprints: [String: String]
        /// The store's `cache/` folder and the workspace root (for sources that are paths).
        package var cache: URL
        package var workspace: URL

        package init(experiment: Experiment, fingerprints: [String: String], cache: URL, workspace: URL) {
            self.experiment = experiment
            self.fingerprints = fingerprints
            self.cache = cache
            self.workspace = workspace
        }

        package var compare: CompareSpec? { experiment.results.compare }
        /// The replicate axes (seeds) and the others (artists), in the matrix's order.
        package var replicateAxes: [String] { experiment.matrix.map(\.name).filter(experiment.results.replicates.contains) }
        package var groupAxes: [String] { experiment.matrix.map(\.name).filter { !experiment.results.replicates.contains($0) } }
        /// Every combination of the group axes' values, and of the replicate axes' values.
        package var groups: [[String]] { combinations(groupAxes) }
        package var replicates: [[String]] { combinations(replicateAxes) }

        private func combinations(_ axes: [String]) -> [[String]] {
            var out: [[String]] = [[]]
            for axis in experiment.matrix where axes.contains(axis.name) { out = out.flatMap { prefix in axis.values.map { prefix + [$0] } } }
            return out
        }

        /// The matrix values of a group and a replicate, by axis.
        private func values(_ group: [String], _ replicate: [String]) -> [String: String] {
            Dictionary(uniqueKeysWithValues: Array(zip(groupAxes, group)) + Array(zip(replicateAxes, replicate)))
        }

        /// The grid for `group` (values of the group axes) and `replicate` (values of the replicate
        /// axes; nil: every replicate, a column per replicate for the methods that have them),
        /// `limit` rows from `offset`. Nil when the experiment declares no `compare:`.
        package func grid(group: [String], replicate: [String]?, offset: Int = 0, limit: Int = .max) -> ComparisonGrid? {
            guard let compare else { return nil }
            let chosen = replicate.map { [$0] } ?? replicates
            let first = values(group, chosen.first ?? [])
            var notes: [String] = []
            guard let folders = compare.resolved[compare.key(first)] else {
                return ComparisonGrid(columns: [], rows: [], total: 0, offset: 0, notes: ["no images for \(group.joined(separator: ", "))"])
            }
            let source = folder(folders.source)
            if source == nil { notes.append("\(compare.sourceLabel): \(folders.source) is not stored yet") }
            let paintings = source.map { ComparisonGrid.imageFiles(under: $0.url.path) } ?? []
            var columns = [Column(label: compare.sourceLabel, role: "source", stage: folders.source.stageID, replicate: nil)]
            var lookups: [(String) -> Cell?] = [{ name in source.map { cell($0, name, scores: scorer(images: folders.source)) } }]
            for method in compare.methods {
                let perReplicate = chosen.count > 1 && instances(of: method.stage).contains { $0.matrixValues.contains { replicateAxes.contains($0.axis) } }
                for replicateValues in perReplicate ? chosen : [chosen.first ?? []] {
                    let matrix = values(group, replicateValues)
                    let replicateLabel = perReplicate || replicate != nil ? replicateValues.joined(separator: ",") : nil
                    guard let instance = instances(of: method.stage).first(where: { $0.matrixValues.allSatisfy { matrix[$0.axis] == $0.value } }) else {
                        continue  // the stage does not run for these values (`foreach: {artist: [monet]}`)
                    }
                    columns.append(Column(label: method.label, role: "method", stage: instance.id,
                                          replicate: instance.matrixValues.contains { replicateAxes.contains($0.axis) } ? replicateLabel : nil))
                    let made = InputSource.output(stage: instance.id, output: method.output, subpath: "")
                    guard let out = folder(made) else {
                        notes.append("\(method.label): \(instance.id) is not stored yet")
                        lookups.append { _ in nil }
                        continue
                    }
                    // The lineage: the images this instance made from must be the row's source images.
                    let from = instance.inputs["images"]
                    guard let from, from == folders.source || (folder(from)?.url.standardizedFileURL == source?.url.standardizedFileURL && source != nil) else {
                        notes.append("\(method.label): \(instance.id) made its images from \(from.map { "\($0)" } ?? "no input `images`"), not from \(folders.source)")
                        lookups.append { _ in nil }
                        continue
                    }
                    let byStem = ComparisonGrid.stems(ComparisonGrid.imageFiles(under: out.url.path))
                    let scores = method.metrics.flatMap { name in instances(of: name).first { $0.matrixValues.allSatisfy { matrix[$0.axis] == $0.value } } }
                        .flatMap(report) ?? scorer(images: made)
                    lookups.append { name in byStem[ComparisonGrid.stem(name)].map { cell(out, $0, scores: scores) } }
                }
            }
            if let truth = folders.truth {
                columns.append(Column(label: compare.truthLabel, role: "truth", stage: truth.stageID, replicate: nil))
                if let found = folder(truth) {
                    let files = ComparisonGrid.imageFiles(under: found.url.path)
                    let byStem = ComparisonGrid.stems(files), byPath = Set(files)
                    lookups.append { name in
                        (compare.match == .stem ? byStem[ComparisonGrid.stem(name)] : byPath.contains(name) ? name : nil).map { cell(found, $0, scores: nil) }
                    }
                } else {
                    notes.append("\(compare.truthLabel): \(truth) is not stored yet")
                    lookups.append { _ in nil }
                }
            }
            let start = min(max(offset, 0), paintings.count)
            let page = paintings[start..<min(paintings.count, start + max(1, limit))]
            let rows = page.map { name in Row(name: name, cells: lookups.map { $0(name) }) }
            return ComparisonGrid(columns: columns, rows: rows, total: paintings.count, offset: start, notes: notes)
        }

        private func instances(of stage: String) -> [StageInstance] { experiment.instances.filter { $0.stageName == stage } }

        /// Where a folder is: its URL and, inside the store, its components under `cache/`.
        private func folder(_ source: InputSource) -> (url: URL, store: [String]?)? {
            switch source {
            case .path(let path):
                let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : workspace.appendingPathComponent(path)
                return (url, nil)
            case .output(let stage, let output, let subpath):
                guard let fingerprint = fingerprints[stage] else { return nil }
                let parts = [fingerprint, output] + subpath.split(separator: "/").map(String.init)
                let url = parts.reduce(cache) { $0.appendingPathComponent($1) }
                return FileManager.default.fileExists(atPath: url.path) ? (url, parts) : nil
            }
        }

        private func cell(_ folder: (url: URL, store: [String]?), _ name: String, scores: [String: [(name: String, value: Double)]]?) -> Cell {
            let parts = name.split(separator: "/").map(String.init)
            return Cell(file: parts.reduce(folder.url) { $0.appendingPathComponent($1) }, store: folder.store.map { $0 + parts },
                        metrics: scores?[name] ?? [])
        }

        /// The per-image values of the instance whose input `images` is `images` and that writes a `report`.
        private func scorer(images: InputSource) -> [String: [(name: String, value: Double)]]? {
            experiment.instances.first { $0.inputs["images"] == images && $0.outputs.contains("report") }.flatMap(report)
        }

        private func report(_ instance: StageInstance) -> [String: [(name: String, value: Double)]]? {
            guard let fingerprint = fingerprints[instance.id] else { return nil }
            return PerImageValues.read(cache.appendingPathComponent(fingerprint).appendingPathComponent("report"))
        }
    }

    /// A path without its extension: how a translation (`00003.png`) is paired with its source (`00003.jpg`).
    static func stem(_ path: String) -> String {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return path }
        return String(path[..<dot])
    }

    static func stems(_ files: [String]) -> [String: String] {
        var out: [String: String] = [:]
        for file in files where out[stem(file)] == nil { out[stem(file)] = file }
        return out
    }

    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "gif", "svg", "webp"]

    /// Relative paths of image files in a folder, sorted; symlinks are not followed.
    package static func imageFiles(under folder: String) -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue,
              let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var files: [String] = []
        for case let path as String in walker where imageExtensions.contains((path as NSString).pathExtension.lowercased()) {
            files.append(path)
        }
        return files.sorted()
    }
}

extension InputSource {
    /// The stage instance an output belongs to; nil for a path.
    package var stageID: String? {
        if case .output(let stage, _, _) = self { return stage } else { return nil }
    }
}
