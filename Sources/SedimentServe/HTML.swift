import Foundation

/// Server-rendered HTML: escaping, the page frame and small building blocks. No script runs
/// on any page: plots are SVG, drawn by the server.
public enum HTML {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters (hostile ids and cards) are shown, not passed through.
                if c.value < 0x20 && c != "\n" && c != "\t" { out += "\u{FFFD}" } else { out.unicodeScalars.append(c) }
            }
        }
        return out
    }

    /// `text` percent-encoded for one path segment or a query value.
    public static func component(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// `text` percent-encoded as a path, keeping its slashes.
    public static func path(_ text: String) -> String {
        text.split(separator: "/", omittingEmptySubsequences: false).map { component(String($0)) }.joined(separator: "/")
    }

    public static func link(_ href: String, _ text: String, attributes: String = "") -> String {
        "<a href=\"\(escape(href))\"\(attributes.isEmpty ? "" : " " + attributes)>\(escape(text))</a>"
    }

    /// A table: `headers` as text, `rows` as HTML already.
    public static func table(_ headers: [String], _ rows: [[String]], id: String? = nil) -> String {
        var out = "<table\(id.map { " id=\"\(escape($0))\"" } ?? "")><thead><tr>" + headers.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for row in rows { out += "<tr>" + row.map { "<td>\($0)</td>" }.joined() + "</tr>" }
        return out + "</tbody></table>"
    }

    /// A plot with its numbers: the SVG, a table of the same values, and a link to them as CSV.
    public static func figure(_ plot: SVGPlot, csv: String) -> String {
        "<figure class=\"plot-figure\">" + plot.svg()
            + "<figcaption>\(escape(plot.title)) — \(link(csv, "CSV")) <details><summary>the numbers</summary>\(plot.table())</details></figcaption></figure>"
    }

    /// The page frame: title, navigation, search box, and when the index was made.
    public static func page(title: String, body: String, indexMadeAt: Date? = nil) -> String {
        let made = indexMadeAt.map { "<footer>Lists and trends as of \(escape(timestamp($0))); archived content is read from the store at each request.</footer>" } ?? ""
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · Sediment</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:0 16px 40px;color:#222}
            header{display:flex;gap:16px;align-items:center;border-bottom:1px solid #ddd;padding:10px 0;margin-bottom:12px}
            header a{color:#222;text-decoration:none;font-weight:600}
            table{border-collapse:collapse;margin:8px 0 16px;font-size:14px}
            th,td{border-bottom:1px solid #eee;padding:3px 10px 3px 0;text-align:left;vertical-align:top}
            td.num,th.num{text-align:right}
            code{font-size:13px}
            figure{margin:12px 0 20px}
            figcaption{font-size:13px;color:#555}
            .deleted{color:#b00;font-weight:600}
            footer{margin-top:32px;font-size:12px;color:#777}
            </style></head>
            <body><header><a href="/">Sediment</a><a href="/packages">Packages</a>
            <form action="/packages" method="get"><input name="q" placeholder="search packages" aria-label="search packages"></form></header>
            <main><h1>\(escape(title))</h1>
            \(body)
            </main>\(made)</body></html>
            """
    }

    /// `2024-03-11 09:02 UTC`.
    public static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }
}
