import Foundation
import Pipeline
import Statistics

/// A declared table (`tables:` in the spec) filled from the collapsed results: a row per method,
/// a column per axis value × metric, the best value of each column marked, intervals where
/// replicates (or a stage's own `_ci_low`/`_ci_high` metrics, as FID's bootstrap) give them.
package struct PaperTable: Sendable {
    package var spec: TableSpec
    /// Column groups: the axis values (one unnamed group without an axis).
    package var groups: [String]
    /// Metric labels under each group (the patterns without `*`).
    package var metrics: [String]
    package var rows: [(label: String, cells: [Cell])]

    package struct Cell: Sendable {
        package var value: Double?
        package var low: Double?
        package var high: Double?
        package var n: Int
        package var best = false
    }

    /// Fills `spec` from `table`; fails when the table has axes the layout does not place.
    package init(_ spec: TableSpec, table: ReplicateTable) throws {
        self.spec = spec
        let unplaced = table.axes.filter { $0 != spec.axis }
        guard unplaced.isEmpty else {
            throw PaperTableError(message: "table \(spec.name): the results also vary over \(unplaced.joined(separator: ", ")), "
                                  + "which its layout does not place (columns.axis, or replicates)")
        }
        let axisIndex = spec.axis.flatMap { table.axes.firstIndex(of: $0) }
        groups = spec.axis == nil ? [""] : table.rows.map { $0.values[axisIndex!] }
        metrics = spec.metrics.map { $0.replacingOccurrences(of: "*", with: "") }
        var rows: [(label: String, cells: [Cell])] = []
        for (label, stage) in spec.rows {
            var cells: [Cell] = []
            for group in groups {
                let row = table.rows.first { axisIndex == nil || $0.values[axisIndex!] == group }
                for pattern in spec.metrics {
                    cells.append(Self.cell(stage: stage, pattern: pattern, row: row, columns: table.columns))
                }
            }
            rows.append((label, cells))
        }
        // Mark the best mean of each column.
        for column in 0..<(groups.count * metrics.count) {
            let values = rows.compactMap { $0.cells[column].value }
            guard let best = spec.better == .lower ? values.min() : values.max() else { continue }
            for r in rows.indices where rows[r].cells[column].value == best { rows[r].cells[column].best = true }
        }
        self.rows = rows
    }

    /// The stage's metric matching `pattern` (the shortest name when several do, so `fid64*` picks
    /// `fid64_random_weights` and not its `_ci_low`), with its interval.
    static func cell(stage: String, pattern: String, row: ReplicateTable.Row?, columns: [String]) -> Cell {
        let prefix = stage + "."
        let matches = columns.filter { $0.hasPrefix(prefix) && fnmatch(pattern, String($0.dropFirst(prefix.count)), 0) == 0 }
        guard let row, let column = matches.min(by: { $0.count < $1.count }), let summary = row.cells[column] else {
            return Cell(value: nil, low: nil, high: nil, n: 0)
        }
        if summary.low == nil, let low = row.cells[column + "_ci_low"]?.mean, let high = row.cells[column + "_ci_high"]?.mean {
            return Cell(value: summary.mean, low: low, high: high, n: 1)
        }
        return Cell(value: summary.mean, low: summary.low, high: summary.high, n: summary.n)
    }

    /// The column headers as `group / metric` (`metric` alone without groups).
    package var headers: [String] {
        groups.flatMap { group in metrics.map { group.isEmpty ? $0 : "\(group) / \($0)" } }
    }

    /// The table in `format`; LaTeX is a booktabs `table` ready to paste into a paper.
    package func render(_ format: TableFormat) -> String {
        switch format {
        case .latex: return latex()
        case .json:
            let object: [String: Any] = [
                "table": spec.name, "caption": spec.caption, "better": spec.better.rawValue, "groups": groups, "metrics": metrics,
                "rows": rows.map { row in
                    ["label": row.label, "cells": row.cells.map { cell -> [String: Any] in
                        ["value": cell.value ?? NSNull(), "ci_low": cell.low ?? NSNull(), "ci_high": cell.high ?? NSNull(),
                         "n": cell.n, "best": cell.best]
                    }] as [String: Any]
                },
            ]
            let data = try! JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            return String(decoding: data, as: UTF8.self) + "\n"
        case .csv:
            let header = ["method"] + headers.flatMap { [$0, $0 + ".ci_low", $0 + ".ci_high", $0 + ".n", $0 + ".best"] }
            let body = rows.map { row in
                [row.label] + row.cells.flatMap { c in
                    [TableRenderer.cell(c.value, exact: true), TableRenderer.cell(c.low, exact: true),
                     TableRenderer.cell(c.high, exact: true), String(c.n), c.best ? "1" : "0"]
                }
            }
            return TableRenderer.render(header: header, rows: body, format: .csv)
        case .html:
            return TableRenderer.render(header: ["method"] + headers,
                                        rows: rows.map { row in [row.label] + row.cells.map { TableRenderer.cell($0.value) } }, format: .html)
        case .table, .markdown:
            let mark = format == .markdown ? ("**", "**") : ("", " *")
            let body = rows.map { row in
                [row.label] + row.cells.map { c -> String in
                    guard let value = c.value else { return "–" }
                    var text = TableRenderer.cell(value)
                    if let low = c.low, let high = c.high { text += " ± " + TableRenderer.cell(max(high - value, value - low)) }
                    return c.best ? mark.0 + text + mark.1 : text
                }
            }
            let title = "\(spec.caption) (\(spec.better.rawValue) is better; best marked \(format == .markdown ? "in bold" : "*"))"
            return (format == .markdown ? "**\(title)**\n\n" : title + "\n")
                + TableRenderer.render(header: ["method"] + headers, rows: body, format: format)
        }
    }

    private func latex() -> String {
        let width = metrics.count
        var out = "% \(spec.caption): generated by `pleinair results --table \(spec.name) --format latex`; needs \\usepackage{booktabs}\n"
        out += "\\begin{table}[t]\n\\centering\n\\caption{\(Self.escape(spec.caption))}\n\\label{tab:\(Self.escape(spec.name))}\n"
        out += "\\begin{tabular}{l" + String(repeating: " " + String(repeating: "r", count: width), count: groups.count) + "}\n\\toprule\n"
        if groups != [""] {
            out += " & " + groups.map { "\\multicolumn{\(width)}{c}{\(Self.escape($0))}" }.joined(separator: " & ") + " \\\\\n"
            out += groups.indices.map { "\\cmidrule(lr){\(2 + $0 * width)-\(1 + ($0 + 1) * width)}" }.joined(separator: " ") + "\n"
        }
        out += "Method & " + groups.flatMap { _ in metrics.map(Self.escape) }.joined(separator: " & ") + " \\\\\n\\midrule\n"
        for row in rows {
            let cells = row.cells.map { c -> String in
                guard let value = c.value else { return "--" }
                var text = TableRenderer.cell(value)
                if c.best { text = "\\textbf{\(text)}" }
                if let low = c.low, let high = c.high { text += " {\\scriptsize $\\pm$ \(TableRenderer.cell(max(high - value, value - low)))}" }
                return text
            }
            out += Self.escape(row.label) + " & " + cells.joined(separator: " & ") + " \\\\\n"
        }
        out += "\\bottomrule\n\\end{tabular}\n\\end{table}\n"
        return out
    }

    /// Text safe inside LaTeX.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\textbackslash{}"
            case "&", "%", "$", "#", "_", "{", "}": out += "\\" + String(character)
            case "~": out += "\\textasciitilde{}"
            case "^": out += "\\textasciicircum{}"
            default: out.append(character)
            }
        }
        return out
    }
}

/// A declared table that cannot be laid out from these results.
package struct PaperTableError: Error, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}
