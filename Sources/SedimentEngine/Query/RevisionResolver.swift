import Foundation
import SedimentGit
import SedimentStore

/// A revision of a package resolved to a commit, with the snapshot it came from when it did.
public struct ResolvedRevision: Sendable {
    public var commit: String
    public var snapshot: SnapshotRecord?
    /// How the revision was understood ("snapshot", "commit", "ref refs/heads/main", "date").
    public var via: String
}

/// Resolves the revision forms of SPEC.md for one package: a snapshot id or unique prefix,
/// a commit id or unique prefix, a ref name (`main`, `refs/tags/v1`, or a lost ref's name),
/// or `@DATE` / `@DATETIME` (the latest snapshot taken at or before that instant; a bare
/// date means the end of that day, UTC). No revision means the latest snapshot.
public struct RevisionResolver {
    public let archive: Archive
    public let package: PackageRecord

    public init(archive: Archive, package: PackageRecord) {
        self.archive = archive
        self.package = package
    }

    public func resolve(_ revision: String?) throws -> ResolvedRevision {
        let catalog = archive.catalog
        let snapshots = try catalog.snapshots(package: package.rowID)
        func fail(_ reason: String) -> CatalogError {
            .unknownRevision(package: package.qualifiedName, revision: revision ?? "(latest)", reason: reason)
        }
        guard let revision, !revision.isEmpty else {
            guard let last = snapshots.last, let head = last.head else { throw fail("the package has no snapshot with a head yet") }
            return ResolvedRevision(commit: head, snapshot: last, via: "latest snapshot")
        }
        if revision.hasPrefix("@") {
            guard let instant = Self.parseInstant(String(revision.dropFirst())) else {
                throw fail("expected @YYYY-MM-DD or @YYYY-MM-DDTHH:MM:SSZ")
            }
            let limit = Catalog.timestamp(instant)
            guard let snapshot = snapshots.last(where: { $0.takenAt <= limit }) else {
                let first = snapshots.first.map { " (the first was taken at \($0.takenAt))" } ?? ""
                throw fail("no snapshot was taken at or before \(limit)\(first)")
            }
            guard let head = snapshot.head else { throw fail("the snapshot of \(snapshot.takenAt) has no head") }
            return ResolvedRevision(commit: head, snapshot: snapshot, via: "date")
        }

        var candidates: [ResolvedRevision] = []
        let lower = revision.lowercased()
        if lower.count >= 4, lower.allSatisfy(\.isHexDigit) {
            let matching = snapshots.filter { $0.id.hex.hasPrefix(lower) }
            let ids = Set(matching.map(\.id))
            if ids.count > 1 { throw fail("snapshot prefix is ambiguous (\(ids.count) snapshots)") }
            if let snapshot = matching.last, let head = snapshot.head {
                candidates.append(ResolvedRevision(commit: head, snapshot: snapshot, via: "snapshot"))
            }
            if let repository = package.repositoryRowID {
                let commits = try catalog.commitIDs(repository: repository, prefix: lower)
                if commits.count > 1 { throw fail("commit prefix is ambiguous") }
                if let commit = commits.first { candidates.append(ResolvedRevision(commit: commit, snapshot: nil, via: "commit")) }
            }
        }
        if candidates.isEmpty, let last = snapshots.last {
            for name in [revision, "refs/heads/\(revision)", "refs/tags/\(revision)", "refs/\(revision)"] {
                if let target = last.refs[name], let commit = peel(target) {
                    candidates.append(ResolvedRevision(commit: commit, snapshot: nil, via: "ref \(name)"))
                    break
                }
            }
        }
        if candidates.isEmpty, let repository = package.repositoryRowID {
            let lost = try catalog.lostRefs(repository: repository).filter { $0.archivedAs == revision || $0.archivedAs == "refs/" + revision }
            if let ref = lost.last, let commit = peel(ref.target) {
                candidates.append(ResolvedRevision(commit: commit, snapshot: nil, via: "lost ref \(ref.archivedAs)"))
            }
        }
        guard candidates.count <= 1 else { throw fail("ambiguous: it is both a snapshot prefix and a commit prefix") }
        guard let found = candidates.first else { throw fail("not a snapshot, commit or ref of this package") }
        return found
    }

    /// The commit a ref target names (peeling annotated tags through the mirror).
    private func peel(_ target: String) -> String? {
        guard let mirror = package.mirrorPath, let id = ObjectID(hex: target),
              let repository = try? Repository.open(at: archive.mirrorFolder(mirror)) else { return target }
        return repository.peelToCommit(id)?.hex
    }

    /// Parses `YYYY-MM-DD` (the end of that day, UTC) or an ISO 8601 date-time.
    public static func parseInstant(_ text: String) -> Date? {
        let dateOnly = DateFormatter()
        dateOnly.locale = Locale(identifier: "en_US_POSIX")
        dateOnly.timeZone = TimeZone(identifier: "UTC")
        dateOnly.dateFormat = "yyyy-MM-dd"
        if text.count == 10, let day = dateOnly.date(from: text) {
            return day.addingTimeInterval(86400 - 0.001)
        }
        let full = ISO8601DateFormatter()
        if let date = full.date(from: text) { return date }
        full.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = full.date(from: text) { return date }
        let local = DateFormatter()
        local.locale = Locale(identifier: "en_US_POSIX")
        local.timeZone = TimeZone(identifier: "UTC")
        for format in ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss"] {
            local.dateFormat = format
            if let date = local.date(from: text) { return date }
        }
        return nil
    }
}
