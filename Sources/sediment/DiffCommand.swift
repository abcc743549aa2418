import ArgumentParser
import Foundation
import SedimentEngine
import SedimentStore

/// `sediment diff`: what changed between two revisions of a package.
struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what changed between two revisions of a package.",
        discussion: """
            Files added, removed, modified and renamed (with sizes), weights whose LFS object changed, \
            model card front-matter fields and config.json keys that changed. FROM and TO are revisions: \
            a snapshot id or prefix, a commit id or prefix, a ref name, or @DATE / @DATETIME.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONFlag
    @OptionGroup var named: PackageArgument

    @Argument(help: ArgumentHelp("The older revision.", valueName: "from"))
    var from: String

    @Argument(help: ArgumentHelp("The newer revision.", valueName: "to"))
    var to: String

    func run() throws {
        let archive = try global.openArchive()
        let package = try archive.catalog.package(named: named.package)
        let resolver = RevisionResolver(archive: archive, package: package)
        let old = try resolver.resolve(from).commit
        let new = try resolver.resolve(to).commit
        let changes = try PackageDiff(archive: archive, package: package, options: QueryOptions(archive.configuration)).changes(from: old, to: new)
        if output.json {
            for c in changes {
                var pairs: [(String, JSONValue)] = [("kind", .string(c.kind))]
                if let path = c.path { pairs.append(("path", .string(path))) }
                if let oldPath = c.oldPath { pairs.append(("old_path", .string(oldPath))) }
                if ["added", "removed", "modified", "renamed", "weights"].contains(c.kind) {
                    pairs += [("old_size", .optional(c.oldSize)), ("new_size", .optional(c.newSize))]
                }
                if c.kind == "weights" || c.oldLFSOID != nil || c.newLFSOID != nil {
                    pairs += [("old_lfs_oid", .optional(c.oldLFSOID)), ("new_lfs_oid", .optional(c.newLFSOID)),
                              ("old_lfs_size", .optional(c.oldLFSSize)), ("new_lfs_size", .optional(c.newLFSSize))]
                }
                if let field = c.field {
                    pairs += [("field", .string(field)), ("old", .optional(c.old)), ("new", .optional(c.new))]
                }
                if let problem = c.unparseable {
                    pairs += [("unparseable", .string(problem)), ("revision", .optional(c.revision))]
                }
                Output.json(.object(pairs))
            }
            return
        }
        Output.line("diff \(package.qualifiedName) \(old.prefix(12))..\(new.prefix(12))")
        if changes.isEmpty { Output.line("no changes") }
        let size = { (n: Int64?) in n.map { Output.bytes($0) } ?? "-" }
        let files = changes.filter { ["added", "removed", "modified", "renamed"].contains($0.kind) }
        if !files.isEmpty {
            Output.line("")
            Output.line("files:")
            for c in files {
                switch c.kind {
                case "added": Output.line("  added     \(c.path ?? "") (\(size(c.newSize)))")
                case "removed": Output.line("  removed   \(c.path ?? "") (\(size(c.oldSize)))")
                case "renamed": Output.line("  renamed   \(c.oldPath ?? "") -> \(c.path ?? "") (\(size(c.oldSize)) -> \(size(c.newSize)))")
                default: Output.line("  modified  \(c.path ?? "") (\(size(c.oldSize)) -> \(size(c.newSize)))")
                }
            }
        }
        let weights = changes.filter { $0.kind == "weights" }
        if !weights.isEmpty {
            Output.line("")
            Output.line("weights:")
            for c in weights {
                Output.line("  \(c.path ?? ""): \(c.oldLFSOID.map { String($0.prefix(12)) } ?? "none") (\(size(c.oldLFSSize))) -> \(c.newLFSOID.map { String($0.prefix(12)) } ?? "none") (\(size(c.newLFSSize)))")
            }
        }
        for (kind, title) in [("card", "model card (README.md front matter)"), ("config", "config.json")] {
            let fields = changes.filter { $0.kind == kind }
            guard !fields.isEmpty else { continue }
            Output.line("")
            Output.line("\(title):")
            for c in fields {
                if let problem = c.unparseable {
                    let at = c.revision == old ? from : c.revision == new ? to : String(c.revision?.prefix(12) ?? "")
                    Output.line("  \(kind) unparseable at \(at): \(problem) (its fields there are unknown; none compared)")
                } else {
                    Output.line("  \(c.field ?? ""): \(c.old ?? "(absent)") -> \(c.new ?? "(absent)")")
                }
            }
        }
    }
}
