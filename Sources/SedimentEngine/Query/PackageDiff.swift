import Foundation
import SedimentGit
import SedimentMetadata
import SedimentStore

/// One difference between two revisions of a package, as `sediment diff` reports it.
public struct PackageChange: Sendable {
    /// `added`, `removed`, `modified`, `renamed`, `weights`, `card`, `config`, `ref` (a ref
    /// added, moved or removed between two snapshots) or `commit` (the two sides' commits).
    public var kind: String
    public var path: String?
    public var oldPath: String?
    public var oldSize: Int64?
    public var newSize: Int64?
    public var oldLFSOID: String?
    public var newLFSOID: String?
    public var oldLFSSize: Int64?
    public var newLFSSize: Int64?
    /// For `card` and `config`: the field, and its values as JSON text (nil when absent), and
    /// as values. For `ref`: the ref's name, and its old and new targets (nil when absent).
    /// For `commit`: the two commits.
    public var field: String?
    public var old: String?
    public var new: String?
    public var oldValue: JSONCompatible?
    public var newValue: JSONCompatible?
    /// For `card` and `config` without a field: the file could not be read at ``revision``
    /// (a commit id), for this reason; its fields there are unknown, so none is compared.
    public var unparseable: String?
    public var revision: String?

    init(kind: String, path: String? = nil) {
        self.kind = kind
        self.path = path
    }
}

/// What changed between two revisions of a package: files (renames detected as
/// `git diff -M` does, within the package's subpath), weights (LFS objects), model card
/// front-matter fields and `config.json` keys.
public struct PackageDiff {
    public let archive: Archive
    public let package: PackageRecord
    public let options: QueryOptions

    public init(archive: Archive, package: PackageRecord, options: QueryOptions) {
        self.archive = archive
        self.package = package
        self.options = options
    }

    /// The changes from commit `old` to commit `new`. Only the changed files are looked at:
    /// their sizes and LFS pointers from the catalog's blob map (or the mirror, for blobs never
    /// hashed), the card and config contents from the mirror.
    public func changes(from old: String, to new: String) throws -> [PackageChange] {
        guard let mirror = package.mirrorPath, let oldID = ObjectID(hex: old), let newID = ObjectID(hex: new) else {
            throw CatalogError.unknownRevision(package: package.qualifiedName, revision: new, reason: "the package has no mirror to diff")
        }
        let repository = try Repository.open(at: archive.mirrorFolder(mirror))
        let scope = package.scope
        var fileChanges = try repository.changes(from: oldID, to: newID, subpath: scope.subpath).filter { change in
            [change.oldPath, change.newPath].compactMap { $0 }.contains(where: scope.contains(relativePath:))
        }
        // A card outside the package's folder (an ONNX Model Zoo model's README one level up).
        if let card = scope.card, let cardPath = scope.cardPath {
            let before = try repository.fileEntry(cardPath, at: oldID), after = try repository.fileEntry(cardPath, at: newID)
            if before != after {
                let status: ChangeStatus = before == nil ? .added : after == nil ? .deleted : .modified
                fileChanges.insert(FileChange(status: status, oldPath: before.map { _ in card }, newPath: after.map { _ in card },
                                              oldID: before?.id, newID: after?.id, oldMode: before?.mode, newMode: after?.mode), at: 0)
            }
        }
        let ids = Set(fileChanges.flatMap { [$0.oldID, $0.newID].compactMap { $0 } })
        var known = try archive.catalog.blobs(ids.map(\.hex))
        func info(_ id: ObjectID?, mode: UInt32?) throws -> BlobInfo? {
            guard let id, mode != 0o160000 else { return nil }
            if let found = known[id.hex] { return found }
            let found = try repository.withBlob(id) { bytes -> BlobInfo in
                let pointer = bytes.count < LFSPointer.maximumSize ? LFSPointer.parse(bytes) : nil
                return BlobInfo(gitBlob: id.hex, sha256: ContentID.of(buffer: bytes), size: Int64(bytes.count), stored: false,
                                lfsOID: pointer?.oid, lfsSize: pointer?.size)
            }
            known[id.hex] = found
            return found
        }
        var result: [PackageChange] = []
        var weights: [PackageChange] = []
        var structured: [String: (old: ObjectID?, new: ObjectID?)] = [:]
        for change in fileChanges {
            let before = try info(change.oldID, mode: change.oldMode)
            let after = try info(change.newID, mode: change.newMode)
            var entry = PackageChange(kind: Self.kind(change.status), path: change.newPath ?? change.oldPath)
            if change.status == .renamed || change.status == .copied { entry.oldPath = change.oldPath }
            entry.oldSize = before?.size
            entry.newSize = after?.size
            entry.oldLFSOID = before?.lfsOID?.hex
            entry.newLFSOID = after?.lfsOID?.hex
            entry.oldLFSSize = before?.lfsSize
            entry.newLFSSize = after?.lfsSize
            result.append(entry)
            if (before?.lfsOID != nil || after?.lfsOID != nil) && before?.lfsOID != after?.lfsOID {
                var weight = entry
                weight.kind = "weights"
                weights.append(weight)
            }
            for (key, path) in [("README.md", "README.md"), ("README.md", scope.card ?? "README.md"), ("config.json", "config.json")] {
                if change.oldPath == path { structured[key, default: (nil, nil)].old = change.oldID }
                if change.newPath == path { structured[key, default: (nil, nil)].new = change.newID }
            }
        }
        result += weights
        func content(_ id: ObjectID?) throws -> Data? {
            try id.map { id in try repository.withBlob(id) { Data($0) } }
        }
        // A side that cannot be read is unknown, not empty: it is reported, and no field is compared.
        func compare(kind: String, path: String, _ ids: (old: ObjectID?, new: ObjectID?),
                     read: (Data) -> (fields: [String: JSONCompatible]?, problem: String?)) throws {
            let before = try content(ids.old).map(read), after = try content(ids.new).map(read)
            var unreadable = false
            for (side, commit) in [(before, old), (after, new)] {
                guard let problem = side?.problem else { continue }
                var change = PackageChange(kind: kind, path: path)
                change.unparseable = problem
                change.revision = commit
                result.append(change)
                unreadable = true
            }
            if !unreadable {
                result += fieldChanges(kind: kind, path: path, old: before?.fields, new: after?.fields)
            }
        }
        if let card = structured["README.md"] {
            try compare(kind: "card", path: "README.md", card) { data in
                let c = ModelCard(data, yamlLimits: options.files.yaml)
                return (c.fields, c.problem)
            }
        }
        if let config = structured["config.json"] {
            try compare(kind: "config", path: "config.json", config) { data in
                let c = ModelConfig(data, maximumBytes: options.files.configBytes)
                return (c.fields, c.problem)
            }
        }
        return result
    }

    /// What changed in the refs from one snapshot to another: each ref added, moved or
    /// removed, so that a force-push that left the same tree is still a change.
    public static func refChanges(from old: SnapshotRecord, to new: SnapshotRecord) -> [PackageChange] {
        Set(old.refs.keys).union(new.refs.keys).sorted().compactMap { name in
            guard old.refs[name] != new.refs[name] else { return nil }
            var change = PackageChange(kind: "ref")
            change.field = name
            change.old = old.refs[name]
            change.new = new.refs[name]
            change.oldValue = old.refs[name].map(JSONCompatible.string)
            change.newValue = new.refs[name].map(JSONCompatible.string)
            return change
        }
    }

    /// The two sides' commits, when they differ.
    public static func commitChange(from old: String, to new: String) -> PackageChange? {
        guard old != new else { return nil }
        var change = PackageChange(kind: "commit")
        change.old = old
        change.new = new
        change.oldValue = .string(old)
        change.newValue = .string(new)
        return change
    }

    static func kind(_ status: ChangeStatus) -> String {
        switch status {
        case .added, .copied: return "added"
        case .deleted: return "removed"
        case .renamed: return "renamed"
        case .modified, .typeChanged: return "modified"
        }
    }

    /// The top-level fields of a structured file that differ between the two revisions.
    private func fieldChanges(kind: String, path: String, old: [String: JSONCompatible]?, new: [String: JSONCompatible]?) -> [PackageChange] {
        let before = old ?? [:], after = new ?? [:]
        var changes: [PackageChange] = []
        for field in Set(before.keys).union(after.keys).sorted() where before[field] != after[field] {
            var change = PackageChange(kind: kind, path: path)
            change.field = field
            change.old = before[field]?.json
            change.new = after[field]?.json
            change.oldValue = before[field]
            change.newValue = after[field]
            changes.append(change)
        }
        return changes
    }
}
