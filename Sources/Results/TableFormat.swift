import Foundation
import Pipeline
import Statistics

/// Output formats for tables.
package enum TableFormat: String, CaseIterable, Sendable {
    case table, markdown, csv, json, latex, html

    /// Machine formats carry every value at full double precision; only the views people read round.
    package var isExact: Bool { self == .csv || self == .json }
}

/// Renders a header and rows of cells in each `TableFormat`.
package enum TableRenderer {
    package static func render(header: [String], rows: [[String]], format: TableFormat) -> String {
        switch format {
        case .table:
            var widths = header.map(\.count)
            for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
            func line(_ cells: [String]) -> String {
                cells.enumerated().map { i, c in
                    let pad = String(repeating: " ", count: widths[i] - c.count)
                    return i < (cells.count) && Double(c) != nil ? pad + c : c + pad
                }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
            }
            let rule = widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")
            return ([line(header), rule] + rows.map(line)).joined(separator: "\n") + "\n"
        case .latex:
            let escape: (String) -> String = PaperTable.escape
            var out = "\\begin{tabular}{" + String(repeating: "l", count: header.count) + "}\n\\toprule\n"
            out += header.map(escape).joined(separator: " & ") + " \\\\\n\\midrule\n"
            for row in rows { out += row.map(escape).joined(separator: " & ") + " \\\\\n" }
            return out + "\\bottomrule\n\\end{tabular}\n"
        case .markdown:
            let escape: (String) -> String = { $0.replacingOccurrences(of: "|", with: "\\|") }
            var out = "| " + header.map(escape).joined(separator: " | ") + " |\n"
            out += "|" + header.map { _ in " --- |" }.joined() + "\n"
            for row in rows { out += "| " + row.map(escape).joined(separator: " | ") + " |\n" }
            return out
        case .html:
            let escape: (String) -> String = {
                $0.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            }
            var out = "<table>\n<tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
            for row in rows { out += "<tr>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n" }
            return out + "</table>\n"
        case .csv:
            let quote: (String) -> String = { c in
                c.contains(where: { ",\"\n".contains($0) }) ? "\"" + c.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : c
            }
            return ([header] + rows).map { $0.map(quote).joined(separator: ",") }.joined(separator: "\n") + "\n"
        case .json:
            let data = try! JSONSerialization.data(withJSONObject: objects(header: header, rows: rows), options: [.prettyPrinted, .sortedKeys])
            return String(decoding: data, as: UTF8.self) + "\n"
        }
    }

    /// Rows as JSON objects keyed by the header; numeric cells become numbers.
    package static func objects(header: [String], rows: [[String]]) -> [[String: Any]] {
        rows.map { row in
            var object: [String: Any] = [:]
            for (i, key) in header.enumerated() {
                // JSON has no NaN or infinity: those stay strings ("nan", "inf").
                object[key] = Double(row[i]).flatMap { $0.isFinite ? $0 as Any : nil } ?? (row[i].isEmpty ? NSNull() : row[i] as Any)
            }
            return object
        }
    }

    /// A metric value, or an empty cell: exactly (the shortest text that reads back as the same
    /// double) for machine formats, in 4 significant digits for people.
    package static func cell(_ value: Double?, exact: Bool = false) -> String {
        guard let value else { return "" }
        if value.isNaN { return "nan" }
        guard exact else { return String(format: "%.4g", value) }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
