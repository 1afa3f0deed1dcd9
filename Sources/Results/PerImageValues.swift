import Foundation
import Pipeline
import Statistics

/// The per-image values behind the results table's columns, for comparisons `over: images`: read
/// from the `report` output of each instance of a column's stage (a CSV with an `image` column and
/// one named as the metric). `pleinair results` and the live view both read them through this.
package struct PerImageValues: Sendable {
    /// The instances whose outputs the table shows, and the fingerprint each one's outputs are stored under.
    package var instances: [StageInstance]
    package var fingerprints: [String: String]
    /// The store's `cache/` folder.
    package var cache: URL
    /// The collapsed table's axes and its replicate axes.
    package var axes: [String]
    package var replicates: [String]

    package init(instances: [StageInstance], fingerprints: [String: String], cache: URL, axes: [String], replicates: [String]) {
        self.instances = instances
        self.fingerprints = fingerprints
        self.cache = cache
        self.axes = axes
        self.replicates = replicates
    }

    /// The values of the planned stages' outputs.
    package init(plan: Plan, cache: URL, axes: [String], replicates: [String]) {
        var fingerprints: [String: String] = [:]
        for stage in plan.stages { fingerprints[stage.instance.id] = stage.fingerprint }
        self.init(instances: plan.stages.map(\.instance), fingerprints: fingerprints, cache: cache, axes: axes, replicates: replicates)
    }

    /// Per-image values of `column` (`stage.metric`) in the row with axis values `row`, by replicate
    /// (the replicate axes' values joined with ",") then by image; nil where an instance has no
    /// readable report with that metric.
    package func callAsFunction(_ column: String, _ row: [String]) -> [String: [String: Double]]? {
        guard let dot = column.firstIndex(of: ".") else { return nil }
        let stage = String(column[..<dot]), metric = String(column[column.index(after: dot)...])
        var byReplicate: [String: [String: Double]] = [:]
        for instance in instances where instance.stageName == stage {
            let values = Dictionary(uniqueKeysWithValues: instance.matrixValues.map { ($0.axis, $0.value) })
            guard zip(axes, row).allSatisfy({ axis, value in values[axis] == nil || values[axis] == value }) else { continue }
            let key = replicates.compactMap { values[$0] }.joined(separator: ",")
            guard let fingerprint = fingerprints[instance.id],
                  let table = Self.read(cache.appendingPathComponent(fingerprint).appendingPathComponent("report")) else { return nil }
            var perImage: [String: Double] = [:]
            for (image, values) in table {
                if let value = values.first(where: { $0.name == metric })?.value { perImage[image] = value }
            }
            guard !perImage.isEmpty || table.isEmpty else { return nil }
            byReplicate[key] = perImage
        }
        return byReplicate.isEmpty ? nil : byReplicate
    }

    /// A per-image report (a CSV with an `image` column, then one per metric): image → its numeric
    /// values in column order; nil when the file is missing or not such a table.
    package static func read(_ report: URL) -> [String: [(name: String, value: Double)]]? {
        guard let text = try? String(contentsOf: report, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first, header.first == "image" else { return nil }
        var table: [String: [(name: String, value: Double)]] = [:]
        for fields in lines.dropFirst() where fields.count == header.count {
            table[fields[0]] = zip(header, fields).dropFirst().compactMap { name, text in Double(text).map { (name, $0) } }
        }
        return table
    }
}
