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
            model card front-matter fields and config.json keys that changed, and, between two snapshots, \
            the refs added, moved or removed. FROM and TO are revisions: a snapshot id or prefix, a commit \
            id or prefix, a ref name, or @DATE / @DATETIME. With FROM alone: FROM against the snapshot \
            before it (or, for a commit that is no snapshot, against its first parent). With neither: \
            the latest snapshot against the one before it.

            EXAMPLES:
              sediment diff org/model-a v1.0 main
              sediment diff hf:google-bert/bert-tiny 97bbe0655fbb      # a snapshot against the previous one
              sediment diff org/model-a --json                        # the latest change, as JSON Lines
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONFlag
    @OptionGroup var named: PackageArgument

    @Argument(help: ArgumentHelp("The older revision (default: the snapshot before TO).", valueName: "from"))
    var from: String?

    @Argument(help: ArgumentHelp("The newer revision (default: FROM, compared with the snapshot before it).", valueName: "to"))
    var to: String?

    func run() throws {
        let archive = try global.openArchive()
        let package = try archive.catalog.package(named: named.package)
        let resolver = RevisionResolver(archive: archive, package: package)
        let (older, newer) = try Self.sides(from: from, to: to, resolver: resolver, archive: archive, package: package)
        let old = older.commit, new = newer.commit
        let from = older.label, to = newer.label
        var changes = try PackageDiff(archive: archive, package: package, options: QueryOptions(archive.configuration)).changes(from: old, to: new)
        if let a = older.snapshot, let b = newer.snapshot { changes += PackageDiff.refChanges(from: a, to: b) }
        if let moved = PackageDiff.commitChange(from: old, to: new) { changes.insert(moved, at: 0) }
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
                if let field = c.field { pairs.append(("field", .string(field))) }
                if c.field != nil || c.kind == "commit" {
                    pairs += [("old", c.oldValue?.jsonValue ?? .null), ("new", c.newValue?.jsonValue ?? .null)]
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
        if !changes.isEmpty && changes.allSatisfy({ $0.kind == "commit" || $0.kind == "ref" }) {
            Output.line("the commits differ, but not their files, card or config")
        }
        let refs = changes.filter { $0.kind == "ref" }
        if !refs.isEmpty {
            Output.line("")
            Output.line("refs:")
            for c in refs {
                Output.line("  \(c.field ?? ""): \(c.old.map { String($0.prefix(12)) } ?? "(none)") -> \(c.new.map { String($0.prefix(12)) } ?? "(none)")")
            }
        }
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

    /// One side of a diff: the commit, the snapshot when the revision named one, and how to
    /// name it in messages.
    struct Side {
        var commit: String
        var snapshot: SnapshotRecord?
        var label: String
    }

    /// The two sides: as named, or TO's predecessor (the snapshot before it, else its first
    /// parent) when FROM is missing.
    static func sides(from: String?, to: String?, resolver: RevisionResolver, archive: Archive, package: PackageRecord) throws -> (Side, Side) {
        if let from, let to {
            let a = try resolver.resolve(from), b = try resolver.resolve(to)
            return (Side(commit: a.commit, snapshot: a.snapshot, label: from), Side(commit: b.commit, snapshot: b.snapshot, label: to))
        }
        let named = from ?? to
        let b = try resolver.resolve(named)
        let newer = Side(commit: b.commit, snapshot: b.snapshot, label: named ?? "the latest snapshot")
        if let snapshot = b.snapshot {
            let snapshots = try archive.catalog.snapshots(package: package.rowID)
            guard let index = snapshots.lastIndex(where: { $0.seq == snapshot.seq }), index > 0 else {
                throw CatalogError.unknownRevision(package: package.qualifiedName, revision: newer.label,
                                                   reason: "it is the package's first snapshot: there is none before it to compare with")
            }
            let previous = snapshots[index - 1]
            guard let head = previous.head else {
                throw CatalogError.unknownRevision(package: package.qualifiedName, revision: newer.label, reason: "the snapshot before it has no head")
            }
            return (Side(commit: head, snapshot: previous, label: "the snapshot before (\(previous.id.short))"), newer)
        }
        guard let parent = try archive.catalog.commitRecord(b.commit)?.parents.first else {
            throw CatalogError.unknownRevision(package: package.qualifiedName, revision: newer.label,
                                               reason: "it is a root commit and no snapshot: name two revisions")
        }
        return (Side(commit: parent, snapshot: nil, label: "its parent"), newer)
    }
}
