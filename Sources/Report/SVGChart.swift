import Foundation

/// Small self-contained SVG charts (no scripts, no fonts beyond the viewer's sans-serif).
package enum SVGChart {
    /// One bar per label; values annotated above the bars.
    package static func bars(title: String, labels: [String], values: [Double?], width: Int = 420, height: Int = 220) -> String {
        let top = 28.0, bottom = 40.0, left = 44.0, right = 12.0
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let finite = values.compactMap { $0 }.filter(\.isFinite)
        let high = max(finite.max() ?? 1, 0), low = min(finite.min() ?? 0, 0)
        let span = high - low == 0 ? 1 : high - low
        let slot = plotW / Double(max(labels.count, 1))
        var svg = header(width, height, title)
        let zeroY = top + plotH * (high / span)
        svg += line(left, zeroY, left + plotW, zeroY, "#999")
        for (i, label) in labels.enumerated() {
            let x = left + slot * Double(i) + slot * 0.15
            if let value = values[i], value.isFinite {
                let h = plotH * abs(value) / span
                let y = value >= 0 ? zeroY - h : zeroY
                svg += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(slot * 0.7))\" height=\"\(f(h))\" fill=\"\(palette[i % palette.count])\"/>"
                svg += text(x + slot * 0.35, y - 4, format(value), size: 10, anchor: "middle")
            }
            svg += text(x + slot * 0.35, Double(height) - bottom + 14, label, size: 10, anchor: "middle")
        }
        return svg + "</svg>"
    }

    /// One polyline per series of (step, value) points.
    package static func lines(title: String, series: [(name: String, points: [(Double, Double)])], width: Int = 420, height: Int = 220) -> String {
        let top = 28.0, bottom = 44.0, left = 48.0, right = 12.0
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let all = series.flatMap(\.points).filter { $0.1.isFinite }
        let xs = all.map(\.0), ys = all.map(\.1)
        let x0 = xs.min() ?? 0, x1 = max(xs.max() ?? 1, x0 + 1)
        let y0 = ys.min() ?? 0, y1 = max(ys.max() ?? 1, y0 + 1e-9)
        var svg = header(width, height, title)
        svg += line(left, top + plotH, left + plotW, top + plotH, "#999") + line(left, top, left, top + plotH, "#999")
        svg += text(left - 4, top + 4, format(y1), size: 9, anchor: "end") + text(left - 4, top + plotH, format(y0), size: 9, anchor: "end")
        svg += text(left, top + plotH + 14, format(x0), size: 9, anchor: "start") + text(left + plotW, top + plotH + 14, format(x1), size: 9, anchor: "end")
        for (i, s) in series.enumerated() {
            let pts = s.points.filter { $0.1.isFinite }.map { p in
                "\(f(left + plotW * (p.0 - x0) / (x1 - x0))),\(f(top + plotH * (1 - (p.1 - y0) / (y1 - y0))))"
            }
            svg += "<polyline fill=\"none\" stroke=\"\(palette[i % palette.count])\" stroke-width=\"1.5\" points=\"\(pts.joined(separator: " "))\"/>"
            svg += text(left + Double(i % 3) * 125, Double(height) - 6 - Double(i / 3) * 10, "■ " + s.name, size: 9, anchor: "start", color: palette[i % palette.count])
        }
        return svg + "</svg>"
    }

    /// Bars grouped by `groups` (artists), one bar per series (method) in each group, with an
    /// error bar where the value has an interval.
    package static func groupedBars(title: String, groups: [String], series: [(name: String, values: [(value: Double?, low: Double?, high: Double?)])],
                                   width: Int = 520, height: Int = 240) -> String {
        let top = 28.0, bottom = 52.0, left = 44.0, right = 12.0
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let finite = series.flatMap { $0.values.flatMap { [$0.value, $0.low, $0.high].compactMap { $0 } } }.filter(\.isFinite)
        let high = max(finite.max() ?? 1, 0), low = min(finite.min() ?? 0, 0)
        let span = high - low == 0 ? 1 : high - low
        func y(_ v: Double) -> Double { top + plotH * (high - v) / span }
        let slot = plotW / Double(max(groups.count, 1)), bar = slot * 0.8 / Double(max(series.count, 1))
        var svg = header(width, height, title)
        svg += line(left, y(0), left + plotW, y(0), "#999")
        svg += text(left - 4, top + 4, format(high), size: 9, anchor: "end")
        for (g, group) in groups.enumerated() {
            let x0 = left + slot * Double(g) + slot * 0.1
            for (k, s) in series.enumerated() {
                guard g < s.values.count, let value = s.values[g].value, value.isFinite else { continue }
                let x = x0 + bar * Double(k)
                svg += "<rect x=\"\(f(x))\" y=\"\(f(min(y(value), y(0))))\" width=\"\(f(bar * 0.9))\" height=\"\(f(abs(y(value) - y(0))))\" fill=\"\(palette[k % palette.count])\"/>"
                if let lo = s.values[g].low, let hi = s.values[g].high, lo.isFinite, hi.isFinite {
                    let cx = x + bar * 0.45
                    svg += line(cx, y(lo), cx, y(hi), "#222") + line(cx - 3, y(lo), cx + 3, y(lo), "#222") + line(cx - 3, y(hi), cx + 3, y(hi), "#222")
                }
            }
            svg += text(x0 + slot * 0.4, Double(height) - bottom + 14, group, size: 10, anchor: "middle")
        }
        for (k, s) in series.enumerated() {
            svg += text(left + Double(k % 4) * 120, Double(height) - 8 - Double(k / 4) * 11, "■ " + s.name, size: 9, anchor: "start", color: palette[k % palette.count])
        }
        return svg + "</svg>"
    }

    /// One line per series of (step, mean, low, high) points, with the band between low and high shaded.
    package static func bands(title: String, series: [(name: String, points: [(x: Double, mean: Double, low: Double, high: Double)])],
                             width: Int = 420, height: Int = 220) -> String {
        let top = 28.0, bottom = 44.0, left = 48.0, right = 12.0
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let all = series.flatMap(\.points).filter { $0.mean.isFinite && $0.low.isFinite && $0.high.isFinite }
        let x0 = all.map(\.x).min() ?? 0, x1 = max(all.map(\.x).max() ?? 1, x0 + 1)
        let y0 = all.map(\.low).min() ?? 0, y1 = max(all.map(\.high).max() ?? 1, y0 + 1e-9)
        func px(_ x: Double) -> String { f(left + plotW * (x - x0) / (x1 - x0)) }
        func py(_ y: Double) -> String { f(top + plotH * (1 - (y - y0) / (y1 - y0))) }
        var svg = header(width, height, title)
        svg += line(left, top + plotH, left + plotW, top + plotH, "#999") + line(left, top, left, top + plotH, "#999")
        svg += text(left - 4, top + 4, format(y1), size: 9, anchor: "end") + text(left - 4, top + plotH, format(y0), size: 9, anchor: "end")
        svg += text(left, top + plotH + 14, format(x0), size: 9, anchor: "start") + text(left + plotW, top + plotH + 14, format(x1), size: 9, anchor: "end")
        for (i, s) in series.enumerated() {
            let points = s.points.filter { $0.mean.isFinite && $0.low.isFinite && $0.high.isFinite }
            let color = palette[i % palette.count]
            let outline = points.map { "\(px($0.x)),\(py($0.high))" } + points.reversed().map { "\(px($0.x)),\(py($0.low))" }
            svg += "<polygon fill=\"\(color)\" fill-opacity=\"0.18\" stroke=\"none\" points=\"\(outline.joined(separator: " "))\"/>"
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(points.map { "\(px($0.x)),\(py($0.mean))" }.joined(separator: " "))\"/>"
            svg += text(left + Double(i % 3) * 125, Double(height) - 6 - Double(i / 3) * 10, "■ " + s.name, size: 9, anchor: "start", color: color)
        }
        return svg + "</svg>"
    }

    static let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f"]

    private static func header(_ w: Int, _ h: Int, _ title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" font-family=\"sans-serif\">"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>" + text(Double(w) / 2, 16, title, size: 12, anchor: "middle")
    }

    private static func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ color: String) -> String {
        "<line x1=\"\(f(x0))\" y1=\"\(f(y0))\" x2=\"\(f(x1))\" y2=\"\(f(y1))\" stroke=\"\(color)\"/>"
    }

    private static func text(_ x: Double, _ y: Double, _ s: String, size: Int, anchor: String, color: String = "#222") -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\" fill=\"\(color)\">\(HTMLReport.escape(s))</text>"
    }

    private static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    static func format(_ v: Double) -> String { String(format: "%.4g", v) }
}
