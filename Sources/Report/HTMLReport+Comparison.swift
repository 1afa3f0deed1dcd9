import Foundation
import Results

/// The report's side-by-side grids: per group (artist) the `compare:` section's columns for the
/// first rows of one replicate, each image inlined with its per-image values under it.
extension HTMLReport {
    /// One grid of the report, with where the live view shows the rest.
    package struct ComparisonSection {
        package var title: String
        package var grid: ComparisonGrid
        /// A URL of the live view's Compare page for this grid, shown as the way to more rows and replicates.
        package var more: String?

        package init(title: String, grid: ComparisonGrid, more: String?) {
            self.title = title
            self.grid = grid
            self.more = more
        }
    }

    static let mediaTypes = ["png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp", "svg": "image/svg+xml"]

    /// The grids as HTML; `read` gives a file's bytes (nil: not readable, the cell says so).
    static func comparisonsHTML(_ sections: [ComparisonSection], read: (URL) -> Data?) -> String {
        guard !sections.isEmpty else { return "" }
        var html = "<h2>Side by side</h2>\n"
        for section in sections {
            let grid = section.grid
            html += "<h3>\(escape(section.title))</h3>\n<table class=\"compare\"><tr><th>#</th>"
            html += grid.columns.map { "<th>\(escape($0.label + ($0.replicate.map { " · \($0)" } ?? "")))</th>" }.joined() + "</tr>\n"
            for row in grid.rows {
                html += "<tr><td>\(escape(row.name))</td>"
                for cell in row.cells {
                    guard let cell, let bytes = read(cell.file) else { html += "<td>–</td>"; continue }
                    let type = mediaTypes[cell.file.pathExtension.lowercased()] ?? "application/octet-stream"
                    html += "<td><img alt=\"\(escape(cell.file.lastPathComponent))\" src=\"data:\(type);base64,\(bytes.base64EncodedString())\">"
                    if !cell.metrics.isEmpty {
                        html += "<div class=\"scores\">" + cell.metrics.map { "\(escape($0.name)) \(Self.score($0.value))" }.joined(separator: " · ") + "</div>"
                    }
                    html += "</td>"
                }
                html += "</tr>\n"
            }
            html += "</table>\n"
            for note in grid.notes { html += "<p class=\"note\">\(escape(note))</p>\n" }
            var legend = "Rows \(grid.offset + 1)–\(grid.offset + grid.rows.count) of \(grid.total)."
            if let more = section.more {
                legend += " Every row and replicate: run <code>pleinair ui</code> in this workspace and open its Compare page, "
                    + "<a href=\"\(escape(more))\">\(escape(more))</a> (with the token it prints)."
            }
            html += "<p class=\"legend\">\(legend)</p>\n"
        }
        return html
    }

    /// A per-image value as the grids show it: SSIM-like values to 3 decimals, dB to 2.
    static func score(_ value: Double) -> String {
        String(format: abs(value) < 2 ? "%.3f" : "%.2f", value)
    }
}
