import Foundation
import SedimentEngine
import SedimentStore

/// A package's page (`/package/HUB/ID`) and the diff page between two of its snapshots
/// (`/diff/HUB/ID?from=&to=`).
struct PackagePage {
    let archive: Archive
    let index: ArchiveIndex.State
    let package: PackageRecord

    /// The page of `package`.
    static func href(_ package: PackageRecord) -> String {
        "/package/" + HTML.component(package.hub) + "/" + HTML.path(package.id)
    }

    static func diffHref(_ package: PackageRecord, from: String, to: String) -> String {
        "/diff/" + HTML.component(package.hub) + "/" + HTML.path(package.id) + "?from=\(from)&to=\(to)"
    }

    /// The id Hugging Face clients download the package under.
    var servedID: String { index.ids.name(of: package.rowID) ?? ServedIDs.alias(hub: package.hub, id: package.id) }

    func render(snapshot selected: String?, csv: String?) throws -> WebPages.Page {
        let catalog = archive.catalog
        let snapshots = try catalog.snapshots(package: package.rowID)
        let points = try catalog.observationPoints(package: package.rowID)
        let plots = try self.plots(points)
        if let csv, let plot = plots.first(where: { $0.id == csv }) { return .csv(plot.csv()) }

        var body = "<p>"
        body += "Served to Hugging Face clients as <code id=\"served-id\">\(HTML.escape(servedID))</code>"
        if let repository = package.repository { body += " · repository <code>\(HTML.escape(repository))</code>" }
        if !package.subpath.isEmpty { body += " · folder <code>\(HTML.escape(package.subpath))</code>" }
        body += " · first seen \(HTML.escape(package.firstSeen)) · last seen \(HTML.escape(package.lastSeen))"
        if package.deleted { body += " · <span class=\"deleted\" id=\"deleted\">deleted upstream</span>" }
        body += "</p>"

        // The snapshot timeline, newest first, each with its files and its diff to the one before.
        body += "<h2>Snapshots</h2>"
        var rows: [[String]] = []
        for (i, s) in snapshots.enumerated().reversed() {
            let files = "\(Self.href(package))?snapshot=\(s.id.hex)#files"
            var diff = ""
            if i > 0, let old = snapshots[i - 1].head, let new = s.head, old != new {
                diff = HTML.link(Self.diffHref(package, from: snapshots[i - 1].id.hex, to: s.id.hex), "diff with previous")
            }
            rows.append([HTML.escape(s.takenAt), "<code>\(HTML.escape(String(s.id.hex.prefix(12))))</code>",
                         "<code>\(HTML.escape(String((s.head ?? "(no head)").prefix(12))))</code>", HTML.escape(s.headRef ?? ""),
                         "\(s.refs.count)", HTML.link(files, "files"), diff])
        }
        body += HTML.table(["taken at", "snapshot", "head", "head ref", "refs", "", ""], rows, id: "snapshots")
        if snapshots.count >= 2 {
            body += "<form action=\"/diff/\(HTML.escape(HTML.component(package.hub)))/\(HTML.escape(HTML.path(package.id)))\" method=\"get\">Compare "
            let options = snapshots.reversed().map { "<option value=\"\($0.id.hex)\">\(HTML.escape($0.takenAt))</option>" }.joined()
            body += "<select name=\"from\" aria-label=\"from\">\(options)</select> with <select name=\"to\" aria-label=\"to\">\(options)</select> <button>diff</button></form>"
        }

        let base = Self.href(package) + "?csv="
        body += "<h2>Evolution</h2>" + plots.map { HTML.figure($0, csv: base + $0.id) }.joined()

        // Licence history: the licence at the first observation and at each change.
        var history: [[String]] = []
        var last: String?? = .none
        for p in points where last == .none || last! != p.license {
            history.append([HTML.escape(p.observedAt), HTML.escape(p.license ?? "(none)")])
            last = .some(p.license)
        }
        body += "<h2>Licence history</h2>" + HTML.table(["observed at", "licence"], history, id: "licenses")

        // The files of the selected snapshot (the latest by default).
        let shown = selected.flatMap { id in snapshots.last { $0.id.hex.hasPrefix(id.lowercased()) } } ?? snapshots.last
        if let shown, let head = shown.head {
            body += "<h2 id=\"files\">Files at \(HTML.escape(shown.takenAt)) (commit <code>\(HTML.escape(String(head.prefix(12))))</code>)</h2>"
            let manifest: Manifest
            do {
                manifest = try ManifestReader(archive: archive, package: package, options: QueryOptions(archive.configuration)).manifest(commit: head).0
            } catch {
                body += "<p id=\"files-unavailable\">The files of this snapshot cannot be listed: \(HTML.escape("\(error)"))</p>"
                return .html(HTML.page(title: package.qualifiedName, body: body, indexMadeAt: index.madeAt))
            }
            let fileRows = manifest.entries.map { e -> [String] in
                let href = "/" + servedID + "/resolve/" + head + "/" + HTML.path(e.path)
                var kind = ""
                if let oid = e.lfsOID {
                    kind = "LFS " + SVGPlot.bytes(Double(e.lfsSize ?? 0)) + (archive.blobs.contains(oid, size: e.lfsSize ?? -1) ? "" : " (object not archived)")
                } else if let sha = e.sha256, !archive.blobs.contains(sha) {
                    kind = "content not archived"
                }
                return [HTML.link(href, e.path), SVGPlot.bytes(Double(e.lfsSize ?? e.size)), HTML.escape(kind)]
            }
            body += HTML.table(["path", "size", ""], fileRows, id: "files-table")
        } else {
            body += "<p>No snapshot with a head is archived yet.</p>"
        }
        return .html(HTML.page(title: package.qualifiedName, body: body, indexMadeAt: index.madeAt))
    }

    /// Downloads, likes, weight formats' sizes, the package's size, and commits per month.
    func plots(_ points: [ObservationPoint]) throws -> [SVGPlot] {
        let times = points.map { Catalog.date($0.observedAt)?.timeIntervalSince1970 ?? 0 }
        // Days on the axis, or times when the observations span less than two days.
        let span = (times.max() ?? 0) - (times.min() ?? 0)
        let dateTick: (Double) -> String = { t in
            let text = HTML.timestamp(Date(timeIntervalSince1970: t))
            return span < 2 * 86400 ? String(text.dropFirst(5).prefix(11)) : String(text.prefix(10))
        }
        func series(_ name: String, _ value: (ObservationPoint) -> Double?) -> SVGPlot.Series {
            .init(name: name, points: zip(times, points).compactMap { t, p in value(p).map { .init(x: t, y: $0, label: p.observedAt) } })
        }
        var downloads = SVGPlot(id: "downloads", title: "Downloads", xLabel: "observed at (UTC)", yLabel: "downloads",
                                series: [series("downloads") { $0.downloads.map(Double.init) }])
        downloads.xTick = dateTick
        var likes = SVGPlot(id: "likes", title: "Likes", xLabel: "observed at (UTC)", yLabel: "likes",
                            series: [series("likes") { $0.likes.map(Double.init) }])
        likes.xTick = dateTick
        var names = Set<String>()
        let parsed = points.map { p -> [String: Double] in
            guard let json = p.weightFormats, let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return [:] }
            var bytes: [String: Double] = [:]
            for (format, value) in object {
                names.insert(format)
                bytes[format] = ((value as? [String: Any])?["bytes"] as? NSNumber)?.doubleValue ?? 0
            }
            return bytes
        }
        var weights = SVGPlot(id: "weights", title: "Weight formats", xLabel: "observed at (UTC)", yLabel: "bytes", series: names.sorted().map { format in
            .init(name: format, points: zip(times, zip(points, parsed)).map { t, pair in .init(x: t, y: pair.1[format] ?? 0, label: pair.0.observedAt) })
        })
        weights.xTick = dateTick
        weights.yTick = SVGPlot.bytes
        var size = SVGPlot(id: "size", title: "Size of the package's files", xLabel: "observed at (UTC)", yLabel: "bytes",
                           series: [series("all files, LFS objects at their size") { Double($0.bytes) }])
        size.xTick = dateTick
        size.yTick = SVGPlot.bytes

        // Commits per month, by committer date.
        var perMonth: [String: Int] = [:]
        if let repository = package.repositoryRowID {
            var commits = try archive.catalog.commits(repository: repository)
            if !package.subpath.isEmpty || !package.scope.isWholeSubpath {
                let touching = try archive.catalog.commitIDs(repository: repository, touching: package.scope)
                commits = commits.filter { touching.contains($0.id) }
            }
            for c in commits {
                let month = String(HTML.timestamp(Date(timeIntervalSince1970: TimeInterval(c.committerTime))).prefix(7))
                perMonth[month, default: 0] += 1
            }
        }
        let months = perMonth.isEmpty ? [] : HubTrends.monthRange(from: perMonth.keys.min()!, to: perMonth.keys.max()!)
        var commits = SVGPlot(id: "commits", title: "Commits per month", xLabel: "month (committer date)", yLabel: "commits",
                              series: [.init(name: "commits", points: months.enumerated().map { .init(x: Double($0), y: Double(perMonth[$1] ?? 0), label: $1) })])
        commits.style = .bars
        commits.xTick = { i in months.indices.contains(Int(i)) ? months[Int(i)] : "" }
        return [downloads, likes, weights, size, commits]
    }
}
