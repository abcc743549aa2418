import Foundation

/// A plot drawn as inline SVG: one or more series of points, as lines or bars, with labelled
/// axes (the y label carries the unit). Each point is a `circle.point` (or `rect.bar`) with
/// `data-x` and `data-y`, and a `<title>` saying its values; the page shows the same numbers
/// as a table beside it.
public struct SVGPlot {
    public enum Style { case lines, bars, stackedBars }

    public struct Point {
        public var x: Double
        public var y: Double
        /// How the point's x reads ("2024-03-11 09:02", "2024-03").
        public var label: String
        public init(x: Double, y: Double, label: String) { self.x = x; self.y = y; self.label = label }
    }

    public struct Series {
        public var name: String
        public var points: [Point]
        public init(name: String, points: [Point]) { self.name = name; self.points = points }
    }

    public var id: String
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var style: Style = .lines
    /// How an x value reads on the axis.
    public var xTick: (Double) -> String = { String(format: "%g", $0) }
    /// How a y value reads on the axis and in titles.
    public var yTick: (Double) -> String = SVGPlot.number

    public init(id: String, title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.id = id
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]

    /// The SVG element.
    public func svg(width: Double = 680, height: Double = 260) -> String {
        let left = 70.0, right = 40.0, top = 44.0, bottom = 52.0
        let plotW = width - left - right, plotH = height - top - bottom
        let all = series.flatMap(\.points)
        var minX = all.map(\.x).min() ?? 0, maxX = all.map(\.x).max() ?? 1
        if style != .lines { minX -= 0.5; maxX += 0.5 }
        if maxX <= minX { minX -= 1; maxX += 1 }
        // Stacked bars reach the sum of their series at each x.
        var stackTops: [Double: Double] = [:]
        if style == .stackedBars { for p in all { stackTops[p.x, default: 0] += max(0, p.y) } }
        var maxY = max(style == .stackedBars ? (stackTops.values.max() ?? 1) : (all.map(\.y).max() ?? 1), 0)
        let minY = min(all.map(\.y).min() ?? 0, 0)
        if maxY <= minY { maxY = minY + 1 }
        maxY = Self.niceCeiling(maxY)
        func px(_ x: Double) -> Double { left + (x - minX) / (maxX - minX) * plotW }
        func py(_ y: Double) -> Double { top + plotH - (y - minY) / (maxY - minY) * plotH }

        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" id=\"\(HTML.escape(id))\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\">"
        out += "<title>\(HTML.escape(title))</title>"
        out += "<text x=\"\(left)\" y=\"16\" class=\"plot-title\" font-size=\"13\" font-weight=\"bold\">\(HTML.escape(title))</text>"
        // Axes, with four y ticks and up to six x ticks.
        out += "<line class=\"axis\" x1=\"\(left)\" y1=\"\(top + plotH)\" x2=\"\(left + plotW)\" y2=\"\(top + plotH)\" stroke=\"#333\"/>"
        out += "<line class=\"axis\" x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + plotH)\" stroke=\"#333\"/>"
        for i in 0...4 {
            let y = minY + (maxY - minY) * Double(i) / 4
            out += "<line x1=\"\(left - 4)\" y1=\"\(f(py(y)))\" x2=\"\(left + plotW)\" y2=\"\(f(py(y)))\" stroke=\"#ddd\"/>"
            out += "<text x=\"\(left - 6)\" y=\"\(f(py(y) + 4))\" font-size=\"11\" text-anchor=\"end\">\(HTML.escape(yTick(y)))</text>"
        }
        let xs = Array(Set(all.map(\.x))).sorted()
        let step = max(1, Int((Double(xs.count) / 6).rounded(.up)))
        for (i, x) in xs.enumerated() where i % step == 0 {
            out += "<line x1=\"\(f(px(x)))\" y1=\"\(top + plotH)\" x2=\"\(f(px(x)))\" y2=\"\(top + plotH + 4)\" stroke=\"#333\"/>"
            let anchor = xs.count > 1 && i == xs.count - 1 ? "end" : (xs.count > 1 && i == 0 && style == .lines ? "start" : "middle")
            out += "<text x=\"\(f(px(x)))\" y=\"\(top + plotH + 16)\" font-size=\"11\" text-anchor=\"\(anchor)\">\(HTML.escape(xTick(x)))</text>"
        }
        out += "<text class=\"x-label\" x=\"\(f(left + plotW / 2))\" y=\"\(height - 8)\" font-size=\"12\" text-anchor=\"middle\">\(HTML.escape(xLabel))</text>"
        out += "<text class=\"y-label\" x=\"14\" y=\"\(f(top + plotH / 2))\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(f(top + plotH / 2)))\">\(HTML.escape(yLabel))</text>"
        if all.isEmpty {
            out += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(top + plotH / 2))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#777\">no observations</text>"
        }
        let slot = min(48, plotW / max(1, maxX - minX) * 0.8)
        let barWidth = series.isEmpty ? 0 : max(1, style == .stackedBars ? slot : slot / Double(series.count))
        var stacked: [Double: Double] = [:]
        for (s, one) in series.enumerated() {
            let color = Self.colors[s % Self.colors.count]
            let name = HTML.escape(one.name)
            out += "<g class=\"series\" data-series=\"\(name)\">"
            if style == .lines && one.points.count > 1 {
                let path = one.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
                out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(path)\"/>"
            }
            for p in one.points {
                let tip = "<title>\(name): \(HTML.escape(yTick(p.y))) at \(HTML.escape(p.label))</title>"
                if style == .stackedBars {
                    let base = stacked[p.x, default: 0], value = max(0, p.y)
                    stacked[p.x] = base + value
                    out += "<rect class=\"bar\" data-x=\"\(HTML.escape(p.label))\" data-y=\"\(Self.number(p.y))\" x=\"\(f(px(p.x) - barWidth / 2))\" y=\"\(f(py(base + value)))\" width=\"\(f(barWidth))\" height=\"\(f(py(base) - py(base + value)))\" fill=\"\(color)\">\(tip)</rect>"
                } else if style == .bars {
                    let x = px(p.x) - barWidth * Double(series.count) / 2 + barWidth * Double(s)
                    out += "<rect class=\"bar\" data-x=\"\(HTML.escape(p.label))\" data-y=\"\(Self.number(p.y))\" x=\"\(f(x))\" y=\"\(f(py(max(p.y, 0))))\" width=\"\(f(barWidth))\" height=\"\(f(abs(py(p.y) - py(0))))\" fill=\"\(color)\">\(tip)</rect>"
                } else {
                    out += "<circle class=\"point\" data-x=\"\(HTML.escape(p.label))\" data-y=\"\(Self.number(p.y))\" cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"3\" fill=\"\(color)\">\(tip)</circle>"
                }
            }
            out += "</g>"
        }
        // Legend, between the title and the plot.
        if !series.isEmpty {
            var x = left
            for (s, one) in series.enumerated() {
                out += "<rect class=\"legend\" x=\"\(f(x))\" y=\"24\" width=\"10\" height=\"10\" fill=\"\(Self.colors[s % Self.colors.count])\"/>"
                out += "<text x=\"\(f(x + 14))\" y=\"33\" font-size=\"11\">\(HTML.escape(one.name))</text>"
                x += 24 + Double(one.name.count) * 6.5
            }
        }
        return out + "</svg>"
    }

    /// The plot's numbers: one row per x (in order), one value per series (nil where a series
    /// has no point there).
    func rows() -> [(label: String, values: [Double?])] {
        var rows: [String: [Int: Double]] = [:]
        var order: [(Double, String)] = []
        for (s, one) in series.enumerated() {
            for p in one.points {
                if rows[p.label] == nil { order.append((p.x, p.label)) }
                rows[p.label, default: [:]][s] = p.y
            }
        }
        return order.sorted { $0.0 < $1.0 }.map { _, label in (label, series.indices.map { rows[label]?[$0] }) }
    }

    /// The plot's numbers as an HTML table: one row per x, one column per series.
    public func table() -> String {
        var out = "<table class=\"plot-data\" data-plot=\"\(HTML.escape(id))\"><thead><tr><th>\(HTML.escape(xLabel))</th>"
        for one in series { out += "<th>\(HTML.escape(one.name)) (\(HTML.escape(yLabel)))</th>" }
        out += "</tr></thead><tbody>"
        for row in rows() {
            out += "<tr><td>\(HTML.escape(row.label))</td>" + row.values.map { "<td>\($0.map(Self.number) ?? "")</td>" }.joined() + "</tr>"
        }
        return out + "</tbody></table>"
    }

    /// The plot's numbers as CSV, one row per x.
    public func csv() -> String {
        var out = ([xLabel] + series.map(\.name)).map(Self.csvField).joined(separator: ",") + "\n"
        for row in rows() {
            out += ([row.label] + row.values.map { $0.map(Self.number) ?? "" }).map(Self.csvField).joined(separator: ",") + "\n"
        }
        return out
    }

    static func csvField(_ s: String) -> String {
        s.contains(where: { ",\"\n".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// A number without a needless fraction ("12", "0.25").
    public static func number(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return String(format: "%.3g", v)
    }

    /// A byte count in binary units.
    public static func bytes(_ v: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = v, unit = 0
        while abs(value) >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? number(value) + " B" : String(format: "%.1f %@", value, units[unit])
    }

    static func niceCeiling(_ v: Double) -> Double {
        guard v > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(v)))
        for m in [1.0, 2, 2.5, 5, 10] where m * magnitude >= v { return m * magnitude }
        return 10 * magnitude
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
