import Foundation
import SedimentEngine
import SedimentStore

/// `/diff/HUB/ID?from=REV&to=REV`: what changed between two revisions of a package (two
/// snapshots, usually), as `sediment diff` reports it: files, weights, card fields, config keys.
struct DiffPage {
    let archive: Archive
    let index: ArchiveIndex.State
    let package: PackageRecord

    func render(from: String?, to: String?) throws -> WebPages.Page {
        let resolver = RevisionResolver(archive: archive, package: package)
        let old: ResolvedRevision, new: ResolvedRevision
        do {
            old = try resolver.resolve(from)
            new = try resolver.resolve(to)
        } catch {
            return .notFound("\(error)")
        }
        let changes = try PackageDiff(archive: archive, package: package, options: QueryOptions(archive.configuration))
            .changes(from: old.commit, to: new.commit)
        func describe(_ r: ResolvedRevision) -> String {
            "<code>\(HTML.escape(String(r.commit.prefix(12))))</code>" + (r.snapshot.map { " (snapshot of \(HTML.escape($0.takenAt)))" } ?? "")
        }
        var body = "<p>\(HTML.link(PackagePage.href(package), package.qualifiedName)): from \(describe(old)) to \(describe(new)).</p>"
        if changes.isEmpty { body += "<p id=\"no-changes\">No changes in files, weights, card or config.</p>" }
        let size = { (n: Int64?) in n.map { SVGPlot.bytes(Double($0)) } ?? "" }
        let files = changes.filter { ["added", "removed", "modified", "renamed"].contains($0.kind) }
        if !files.isEmpty {
            body += "<h2>Files</h2>" + HTML.table(["change", "path", "old size", "new size"], files.map { c in
                let path = c.kind == "renamed" ? "\(c.oldPath ?? "") → \(c.path ?? "")" : (c.path ?? "")
                return ["<span class=\"change-\(c.kind)\">\(c.kind)</span>", "<code class=\"changed-file\">\(HTML.escape(path))</code>",
                        size(c.oldSize), size(c.newSize)]
            }, id: "changed-files")
        }
        let weights = changes.filter { $0.kind == "weights" }
        if !weights.isEmpty {
            body += "<h2>Weights</h2>" + HTML.table(["path", "old object", "new object"], weights.map { c in
                ["<code>\(HTML.escape(c.path ?? ""))</code>",
                 c.oldLFSOID.map { "<code>\(HTML.escape(String($0.prefix(12))))</code> \(size(c.oldLFSSize))" } ?? "",
                 c.newLFSOID.map { "<code>\(HTML.escape(String($0.prefix(12))))</code> \(size(c.newLFSSize))" } ?? ""]
            }, id: "changed-weights")
        }
        for (kind, title) in [("card", "Model card fields"), ("config", "Config keys")] {
            let fields = changes.filter { $0.kind == kind }
            guard !fields.isEmpty else { continue }
            body += "<h2>\(title)</h2>" + HTML.table(["field", "old", "new"], fields.map { c in
                if let problem = c.unparseable {
                    return ["(unreadable)", HTML.escape(problem), HTML.escape(c.revision.map { String($0.prefix(12)) } ?? "")]
                }
                return ["<code>\(HTML.escape(c.field ?? ""))</code>", "<code>\(HTML.escape(c.old ?? "(absent)"))</code>",
                        "<code>\(HTML.escape(c.new ?? "(absent)"))</code>"]
            }, id: "changed-\(kind)")
        }
        return .html(HTML.page(title: "Diff of \(package.qualifiedName)", body: body, indexMadeAt: index.madeAt))
    }
}
