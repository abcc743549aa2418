import Foundation
import SedimentEngine
import SedimentStore

/// The web view's pages other than a package's: home, the package list and a hub's trends.
/// Each returns HTML, or CSV when `csv` names one of the page's plots.
struct WebPages {
    let archive: Archive
    let index: ArchiveIndex.State

    /// A web answer: HTML, or a plot's numbers as CSV.
    enum Page {
        case html(String)
        case csv(String)
        case notFound(String)
    }

    /// `/`: hubs, package counts, last crawls, archive growth.
    func home(csv: String?) throws -> Page {
        let growth = index.growth
        var byHub: [String: (packages: Int, deleted: Int)] = [:]
        for s in index.summaries {
            byHub[s.package.hub, default: (0, 0)].packages += 1
            if s.package.deleted { byHub[s.package.hub, default: (0, 0)].deleted += 1 }
        }
        let hubs = Set(byHub.keys).union(archive.configuration.hubs.map(\.name)).sorted()
        let rows = hubs.map { hub -> [String] in
            let kind = archive.configuration.hubs.first { $0.name == hub }?.kind ?? "(not configured)"
            let counts = byHub[hub] ?? (0, 0)
            return [HTML.link("/packages?hub=\(HTML.component(hub))", hub), HTML.escape(kind), "\(counts.packages)", "\(counts.deleted)",
                    HTML.escape(index.lastCrawls[hub] ?? "never"), HTML.link("/trends/\(HTML.component(hub))", "trends")]
        }
        // Cumulative packages and snapshots per month, over every hub.
        let months = Set(growth.packages.map(\.month) + growth.snapshots.map(\.month)).sorted()
        let all = months.isEmpty ? [] : HubTrends.monthRange(from: months[0], to: months[months.count - 1])
        var packages = 0, snapshots = 0
        var packagePoints: [SVGPlot.Point] = [], snapshotPoints: [SVGPlot.Point] = []
        for (i, month) in all.enumerated() {
            packages += growth.packages.filter { $0.month == month }.reduce(0) { $0 + $1.count }
            snapshots += growth.snapshots.filter { $0.month == month }.reduce(0) { $0 + $1.count }
            packagePoints.append(.init(x: Double(i), y: Double(packages), label: month))
            snapshotPoints.append(.init(x: Double(i), y: Double(snapshots), label: month))
        }
        var plot = SVGPlot(id: "growth", title: "Archive growth", xLabel: "month", yLabel: "count (cumulative)",
                           series: [.init(name: "packages", points: packagePoints), .init(name: "snapshots", points: snapshotPoints)])
        plot.xTick = { i in all.indices.contains(Int(i)) ? all[Int(i)] : "" }
        if csv == "growth" { return .csv(plot.csv()) }
        let body = "<h2>Hubs</h2>" + HTML.table(["hub", "kind", "packages", "deleted upstream", "last complete crawl", ""], rows, id: "hubs")
            + "<h2>Growth</h2>" + HTML.figure(plot, csv: "/?csv=growth")
        return .html(HTML.page(title: "Archive", body: body, indexMadeAt: index.madeAt))
    }

    /// `/packages?q=&hub=&page=`: packages whose id contains `q`, 100 a page.
    func list(query: String?, hub: String?, page: Int) -> Page {
        let needle = query ?? ""
        let matching = index.matching(needle, in: index.nameKeys).map { index.summaries[$0] }.filter { s in
            hub == nil || hub == "" || s.package.hub == hub
        }
        let pageSize = 100
        let start = max(0, page) * pageSize
        let shown = matching.dropFirst(start).prefix(pageSize)
        let rows = shown.map { s -> [String] in
            let p = s.package
            return [HTML.link(PackagePage.href(p), p.qualifiedName) + (p.deleted ? " <span class=\"deleted\">deleted upstream</span>" : ""),
                    s.downloads.map(String.init) ?? "", s.likes.map(String.init) ?? "", HTML.escape(s.license ?? ""),
                    HTML.escape(s.observedAt ?? "never observed")]
        }
        var body = "<p id=\"count\">\(matching.count) package\(matching.count == 1 ? "" : "s")"
            + (needle.isEmpty ? "" : " matching “\(HTML.escape(query ?? ""))”") + (hub.map { $0.isEmpty ? "" : " of hub \(HTML.escape($0))" } ?? "") + "</p>"
        body += HTML.table(["package", "downloads", "likes", "licence", "last observed"], rows, id: "packages")
        if start + pageSize < matching.count {
            var next = "/packages?page=\(page + 1)"
            if let query { next += "&q=" + HTML.component(query) }
            if let hub { next += "&hub=" + HTML.component(hub) }
            body += HTML.link(next, "next page", attributes: "rel=\"next\"")
        }
        return .html(HTML.page(title: "Packages", body: body, indexMadeAt: index.madeAt))
    }

    /// `/trends/HUB`: weight formats, licences and new packages per month.
    func trends(hub: String, csv: String?) -> Page {
        guard let trends = index.trends.first(where: { $0.hub == hub }) else {
            return .notFound("the archive has no observations of hub \(hub)")
        }
        let months = trends.months
        let tick: (Double) -> String = { i in months.indices.contains(Int(i)) ? months[Int(i)].month : "" }
        func share(_ n: Int, _ of: Int) -> Double { of == 0 ? 0 : (Double(n) / Double(of) * 1000).rounded() / 10 }
        var formats = SVGPlot(id: "formats", title: "Packages with safetensors and with pickle weights", xLabel: "month", yLabel: "share of packages (%)", series: [
            .init(name: "safetensors", points: months.enumerated().map { .init(x: Double($0), y: share($1.safetensors, $1.packages), label: $1.month) }),
            .init(name: "pickle", points: months.enumerated().map { .init(x: Double($0), y: share($1.pickle, $1.packages), label: $1.month) }),
        ])
        formats.xTick = tick
        // The six most common licences at the last month; the others together.
        var totals: [String: Int] = [:]
        for m in months { for (l, n) in m.licenses { totals[l, default: 0] += n } }
        let top = totals.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }.prefix(6).map(\.key)
        var licenseSeries = top.map { license in
            SVGPlot.Series(name: license, points: months.enumerated().map { .init(x: Double($0), y: Double($1.licenses[license] ?? 0), label: $1.month) })
        }
        if totals.count > top.count {
            licenseSeries.append(.init(name: "other", points: months.enumerated().map { i, m in
                .init(x: Double(i), y: Double(m.licenses.filter { !top.contains($0.key) }.values.reduce(0, +)), label: m.month)
            }))
        }
        var licenses = SVGPlot(id: "licenses", title: "Licences", xLabel: "month", yLabel: "packages", series: licenseSeries)
        licenses.style = .stackedBars
        licenses.xTick = tick
        var new = SVGPlot(id: "new", title: "New packages per month", xLabel: "month", yLabel: "packages first seen",
                          series: [.init(name: "new packages", points: months.enumerated().map { .init(x: Double($0), y: Double($1.new), label: $1.month) })])
        new.style = .bars
        new.xTick = tick
        switch csv {
        case "formats": return .csv(formats.csv())
        case "licenses": return .csv(licenses.csv())
        case "new": return .csv(new.csv())
        default: break
        }
        let base = "/trends/\(HTML.component(hub))?csv="
        let body = "<p>\(months.last?.packages ?? 0) packages observed by \(HTML.escape(months.last?.month ?? "")).</p>"
            + HTML.figure(formats, csv: base + "formats") + HTML.figure(licenses, csv: base + "licenses") + HTML.figure(new, csv: base + "new")
        return .html(HTML.page(title: "Trends of \(hub)", body: body, indexMadeAt: index.madeAt))
    }
}
