import Foundation
import SedimentGit
import SedimentMetadata
import SedimentStore

/// One difference between two revisions of a package, as `sediment diff` reports it.
public struct PackageChange: Sendable {
    /// `added`, `removed`, `modified`, `renamed`, `weights`, `card` or `config`.
    public var kind: String
    public var path: String?
    public var oldPath: String?
    public var oldSize: Int64?
    public var newSize: Int64?
    public var oldLFSOID: String?
    public var newLFSOID: String?
    public var oldLFSSize: Int64?
    public var newLFSSize: Int64?
    /// For `card` and `config`: the field, and its values as JSON (nil when absent).
    public var field: String?
    public var old: String?
    public var new: String?

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

    public init(archive: Archive, package: PackageRecord) {
        self.archive = archive
        self.package = package
    }

    public func changes(from old: String, to new: String) throws -> [PackageChange] {
        let reader = ManifestReader(archive: archive, package: package)
        let (oldManifest, _) = try reader.manifest(commit: old)
        let (newManifest, _) = try reader.manifest(commit: new)
        let oldFiles = Dictionary(oldManifest.entries.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        let newFiles = Dictionary(newManifest.entries.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        guard let mirror = package.mirrorPath, let oldID = ObjectID(hex: old), let newID = ObjectID(hex: new) else {
            throw CatalogError.unknownRevision(package: package.qualifiedName, revision: new, reason: "the package has no mirror to diff")
        }
        let repository = try Repository.open(at: archive.mirrorFolder(mirror))
        var result: [PackageChange] = []
        var weights: [PackageChange] = []
        for change in try repository.changes(from: oldID, to: newID, subpath: package.subpath) {
            let before = change.oldPath.flatMap { oldFiles[$0] }
            let after = change.newPath.flatMap { newFiles[$0] }
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
        }
        result += weights
        result += try fieldChanges(kind: "card", path: "README.md", old: oldFiles, new: newFiles) { ModelCard($0).fields }
        result += try fieldChanges(kind: "config", path: "config.json", old: oldFiles, new: newFiles) { ModelConfig($0).fields }
        return result
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
    private func fieldChanges(kind: String, path: String, old: [String: ManifestEntry], new: [String: ManifestEntry],
                              parse: (Data) -> [String: JSONCompatible]?) throws -> [PackageChange] {
        let before = try content(old[path]).flatMap(parse) ?? [:]
        let after = try content(new[path]).flatMap(parse) ?? [:]
        var changes: [PackageChange] = []
        for field in Set(before.keys).union(after.keys).sorted() where before[field] != after[field] {
            var change = PackageChange(kind: kind, path: path)
            change.field = field
            change.old = before[field]?.json
            change.new = after[field]?.json
            changes.append(change)
        }
        return changes
    }

    /// A file's archived content (nil when absent or not stored).
    private func content(_ entry: ManifestEntry?) throws -> Data? {
        guard let sha = entry?.sha256, archive.blobs.contains(sha) else { return nil }
        return try archive.blobs.get(sha)
    }
}
