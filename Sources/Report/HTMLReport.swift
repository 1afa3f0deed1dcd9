import Foundation
import Pipeline
import Results

/// A self-contained HTML report of an experiment: the declared tables and the comparisons' verdicts
/// first, then the results table, bar charts (methods side by side within each artist, with error
/// bars, when tables are declared; a chart per column otherwise), training curves (the mean over
/// replicates with a band from their lowest to highest value), the `compare:` grids (one painting
/// across every method, per artist) and the sheets the experiment drew. Images are inlined, so the
/// file can be mailed or opened offline.
package struct HTMLReport {
    package var title: String
    package var description: String
    package var table: ResultsTable
    /// Every metric, shown folded under the main table when it has more columns than `table`.
    package var full: ResultsTable?
    /// Series metrics per stage instance: (stage id, metric name, points).
    package var series: [(stage: String, metric: String, points: [(Double, Double)])]
    /// PNG images to show, with captions.
    package var images: [(caption: String, png: Data)]
    /// Lines printed under the title (preprocessing, weights used, what is missing).
    package var notes: [String]
    /// The experiment's declared tables, filled.
    package var tables: [PaperTable] = []
    /// The comparisons' verdict lines.
    package var verdicts: [String] = []
    /// The results with replicates collapsed (mean ± half-width), shown instead of `table`'s rows.
    package var collapsed: ReplicateTable?
    /// Training curves grouped over replicates: a chart per title, a line (mean) and band per method.
    package var curves: [(title: String, lines: [(name: String, points: [(x: Double, mean: Double, low: Double, high: Double)])])] = []
    /// The `compare:` grids, one per artist, shown before the other images.
    package var comparisons: [ComparisonSection] = []
    /// How the grids' images are read (the files they name are in the store).
    package var readImage: (URL) -> Data? = { try? Data(contentsOf: $0) }

    package init(title: String, description: String, table: ResultsTable, full: ResultsTable? = nil,
                series: [(stage: String, metric: String, points: [(Double, Double)])],
                images: [(caption: String, png: Data)], notes: [String]) {
        self.title = title
        self.description = description
        self.table = table
        self.full = full
        self.series = series
        self.images = images
        self.notes = notes
    }

    package func render() -> String {
        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(HTMLReport.escape(title))</title>
        <style>
        body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1200px; }
        table { border-collapse: collapse; margin: 12px 0; }
        th, td { border: 1px solid #ccc; padding: 4px 8px; font-size: 13px; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        th { background: #f3f3f3; }
        .charts svg { margin: 6px; border: 1px solid #eee; }
        .sheets figure { display: inline-block; margin: 8px; vertical-align: top; }
        table.compare td { text-align: center; vertical-align: top; }
        table.compare img { width: 128px; height: auto; display: block; margin: auto; image-rendering: pixelated; }
        .scores { font-size: 11px; color: #444; font-variant-numeric: tabular-nums; }
        .legend { font-size: 12px; color: #555; }
        figcaption { font-size: 12px; color: #555; }
        .note { color: #a40; font-size: 13px; }
        </style></head><body>
        <h1>\(HTMLReport.escape(title))</h1>
        <p>\(HTMLReport.escape(description))</p>

        """
        for note in notes { html += "<p class=\"note\">\(HTMLReport.escape(note))</p>\n" }
        for paper in tables { html += HTMLReport.paperHTML(paper) }
        if !verdicts.isEmpty {
            html += "<h2>Comparisons</h2>\n<ul>\n" + verdicts.map { "<li>\(HTMLReport.escape($0))</li>\n" }.joined() + "</ul>\n"
        }
        if let collapsed {
            html += "<h2>Results</h2>\n<p>\(HTMLReport.escape(collapsed.legend))</p>\n<table><tr>"
            html += (collapsed.axes + collapsed.columns.map(collapsed.header)).map { "<th>\(HTMLReport.escape($0))</th>" }.joined() + "</tr>\n"
            for row in collapsed.rows {
                html += "<tr>" + row.values.map { "<td>\(HTMLReport.escape($0))</td>" }.joined()
                html += collapsed.columns.map { "<td class=\"num\">\(HTMLReport.escape(collapsed.text(row.cells[$0], in: $0)))</td>" }.joined() + "</tr>\n"
            }
            html += "</table>\n"
        } else {
            html += "<h2>Results</h2>\n" + HTMLReport.tableHTML(table)
        }
        if let full, full.columns.count > table.columns.count || full.shared.count > table.shared.count {
            html += "<details><summary>All \(full.columns.count + full.shared.count) metrics</summary>\n" + HTMLReport.tableHTML(full) + "</details>\n"
        }
        if !tables.isEmpty {
            html += "<h2>Per metric</h2>\n<div class=\"charts\">\n"
            for paper in tables {
                for (m, metric) in paper.metrics.enumerated() {
                    let series = paper.rows.map { row in
                        (name: row.label, values: paper.groups.indices.map { g -> (value: Double?, low: Double?, high: Double?) in
                            let cell = row.cells[g * paper.metrics.count + m]
                            return (cell.value, cell.low, cell.high)
                        })
                    }
                    html += SVGChart.groupedBars(title: "\(paper.spec.caption): \(metric)", groups: paper.groups, series: series) + "\n"
                }
            }
            html += "</div>\n"
        } else if !table.columns.isEmpty {
            html += "<h2>Per metric</h2>\n<div class=\"charts\">\n"
            let labels = table.rows.map { $0.values.joined(separator: " ") }
            for column in table.columns {
                html += SVGChart.bars(title: column, labels: labels, values: table.rows.map { $0.metrics[column] }) + "\n"
            }
            html += "</div>\n"
        }
        if !curves.isEmpty {
            html += "<h2>Training curves</h2>\n<p>Mean over the replicates, shaded from the lowest to the highest.</p>\n<div class=\"charts\">\n"
            for curve in curves { html += SVGChart.bands(title: curve.title, series: curve.lines) + "\n" }
            html += "</div>\n"
        } else if !series.isEmpty {
            html += "<h2>Training curves</h2>\n<div class=\"charts\">\n"
            var byMetric: [String: [(name: String, points: [(Double, Double)])]] = [:]
            var order: [String] = []
            for s in series {
                let key = s.stage.split(separator: "@").first.map(String.init)! + "." + s.metric
                if byMetric[key] == nil { order.append(key) }
                byMetric[key, default: []].append((s.stage, s.points))
            }
            for key in order { html += SVGChart.lines(title: key, series: byMetric[key]!) + "\n" }
            html += "</div>\n"
        }
        html += HTMLReport.comparisonsHTML(comparisons, read: readImage)
        if !images.isEmpty {
            html += "<h2>Images</h2>\n<div class=\"sheets\">\n"
            for (caption, png) in images {
                html += "<figure><img alt=\"\(HTMLReport.escape(caption))\" src=\"data:image/png;base64,\(png.base64EncodedString())\">"
                html += "<figcaption>\(HTMLReport.escape(caption))</figcaption></figure>\n"
            }
            html += "</div>\n"
        }
        if !table.missing.isEmpty {
            html += "<p class=\"note\">Not computed yet for the current spec: \(HTMLReport.escape(table.missing.joined(separator: ", ")))</p>\n"
        }
        return html + "</body></html>\n"
    }

    /// A results table as HTML rows (axes, then a column per metric), and its experiment-level metrics.
    package static func tableHTML(_ table: ResultsTable) -> String {
        var html = "<table><tr>"
        for h in table.axes + table.columns { html += "<th>\(escape(h))</th>" }
        html += "</tr>\n"
        for row in table.rows {
            html += "<tr>" + row.values.map { "<td>\(escape($0))</td>" }.joined()
            html += table.columns.map { "<td class=\"num\">\(TableRenderer.cell(row.metrics[$0]))</td>" }.joined() + "</tr>\n"
        }
        html += "</table>\n"
        if !table.shared.isEmpty {
            html += "<table><tr><th>metric</th><th>value</th></tr>\n"
            for (column, value) in table.shared { html += "<tr><td>\(escape(column))</td><td class=\"num\">\(TableRenderer.cell(value))</td></tr>\n" }
            html += "</table>\n"
        }
        return html
    }

    /// A declared table: the best value of each column in bold, `± half-width` where there is an interval.
    package static func paperHTML(_ paper: PaperTable) -> String {
        var html = "<h2>\(escape(paper.spec.caption))</h2>\n<table><tr><th rowspan=\"2\">method</th>"
        html += paper.groups.map { "<th colspan=\"\(paper.metrics.count)\">\(escape($0))</th>" }.joined() + "</tr>\n<tr>"
        html += paper.groups.flatMap { _ in paper.metrics.map { "<th>\(escape($0))</th>" } }.joined() + "</tr>\n"
        for row in paper.rows {
            html += "<tr><td>\(escape(row.label))</td>"
            for cell in row.cells {
                guard let value = cell.value else { html += "<td class=\"num\">–</td>"; continue }
                var text = TableRenderer.cell(value)
                if let low = cell.low, let high = cell.high { text += " ± " + TableRenderer.cell(max(high - value, value - low)) }
                html += "<td class=\"num\">" + (cell.best ? "<b>\(escape(text))</b>" : escape(text)) + "</td>"
            }
            html += "</tr>\n"
        }
        return html + "</table>\n<p class=\"legend\">\(paper.spec.better.rawValue) is better; the best mean of each column in bold.</p>\n"
    }

    /// Escapes text for HTML content and double-quoted attributes.
    package static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
