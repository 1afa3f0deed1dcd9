/// Places a DAG's nodes in columns by their longest path from a source, in order within a column:
/// a pure function, so the view's geometry is tested without a browser.
package enum DAGLayout {
    package static let nodeWidth = 200.0, nodeHeight = 44.0, columnGap = 60.0, rowGap = 14.0, margin = 10.0

    /// Column and row of each id; `edges` are (from, to) and may name ids not in `ids` (ignored).
    /// A cycle cannot come from a ledger, but would only stop the deepening, not loop.
    package static func place(ids: [String], edges: [(from: String, to: String)]) -> [String: (column: Int, row: Int)] {
        let known = Set(ids)
        var parents: [String: [String]] = [:]
        for edge in edges where known.contains(edge.from) && known.contains(edge.to) && edge.from != edge.to {
            parents[edge.to, default: []].append(edge.from)
        }
        var depth: [String: Int] = [:]
        func column(_ id: String, _ visiting: inout Set<String>) -> Int {
            if let d = depth[id] { return d }
            guard visiting.insert(id).inserted else { return 0 }
            let d = (parents[id] ?? []).map { column($0, &visiting) + 1 }.max() ?? 0
            visiting.remove(id)
            depth[id] = d
            return d
        }
        var result: [String: (column: Int, row: Int)] = [:]
        var rows: [Int: Int] = [:]
        for id in ids {
            var visiting = Set<String>()
            let c = column(id, &visiting)
            result[id] = (c, rows[c, default: 0])
            rows[c, default: 0] += 1
        }
        return result
    }

    /// The top-left corner of a cell.
    package static func origin(column: Int, row: Int) -> (x: Double, y: Double) {
        (margin + Double(column) * (nodeWidth + columnGap), margin + Double(row) * (nodeHeight + rowGap))
    }
}
