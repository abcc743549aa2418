import Foundation

/// What Sediment knows about one distinct git blob: the persisted map from git blob id to
/// SHA-256 that lets each blob be read and hashed once, ever.
public struct BlobInfo: Equatable, Sendable {
    public var gitBlob: String
    public var sha256: ContentID
    public var size: Int64
    /// Whether the content is in the blob store (false above `blob_max_bytes`).
    public var stored: Bool
    public var lfsOID: ContentID?
    public var lfsSize: Int64?

    public init(gitBlob: String, sha256: ContentID, size: Int64, stored: Bool, lfsOID: ContentID?, lfsSize: Int64?) {
        self.gitBlob = gitBlob
        self.sha256 = sha256
        self.size = size
        self.stored = stored
        self.lfsOID = lfsOID
        self.lfsSize = lfsSize
    }
}

/// One file a commit changed, as stored in `commit_change`.
public struct ChangeRecord: Equatable, Sendable {
    public var status: String
    public var oldPath: String?
    public var newPath: String?
    public var oldBlob: String?
    public var newBlob: String?
    public var oldMode: Int?
    public var newMode: Int?

    public init(status: String, oldPath: String?, newPath: String?, oldBlob: String?, newBlob: String?, oldMode: Int?, newMode: Int?) {
        self.status = status
        self.oldPath = oldPath
        self.newPath = newPath
        self.oldBlob = oldBlob
        self.newBlob = newBlob
        self.oldMode = oldMode
        self.newMode = newMode
    }
}

/// One commit as stored in `git_commit` and `commit_parent`.
public struct CommitRecord: Equatable, Sendable {
    public var id: String
    public var tree: String
    public var parents: [String]
    public var authorName: String
    public var authorEmail: String
    public var authorTime: Int64
    public var authorOffset: Int
    public var committerName: String
    public var committerEmail: String
    public var committerTime: Int64
    public var committerOffset: Int
    public var message: String
    /// Changes against the first parent (not loaded by queries).
    public var changes: [ChangeRecord]

    public init(id: String, tree: String, parents: [String], authorName: String, authorEmail: String, authorTime: Int64, authorOffset: Int,
                committerName: String, committerEmail: String, committerTime: Int64, committerOffset: Int, message: String, changes: [ChangeRecord] = []) {
        self.id = id
        self.tree = tree
        self.parents = parents
        self.authorName = authorName
        self.authorEmail = authorEmail
        self.authorTime = authorTime
        self.authorOffset = authorOffset
        self.committerName = committerName
        self.committerEmail = committerEmail
        self.committerTime = committerTime
        self.committerOffset = committerOffset
        self.message = message
        self.changes = changes
    }
}

/// A manifest row: which commit (and subpath) a stored manifest describes, with totals.
public struct ManifestRecord: Equatable, Sendable {
    public var id: ContentID
    public var commit: String
    public var subpath: String
    public var files: Int
    public var bytes: Int64
    public var lfsFiles: Int
    public var lfsBytes: Int64

    public init(id: ContentID, commit: String, subpath: String, manifest: Manifest) {
        self.id = id
        self.commit = commit
        self.subpath = subpath
        files = manifest.entries.count
        bytes = manifest.totalBytes
        lfsFiles = manifest.entries.filter { $0.lfsOID != nil }.count
        lfsBytes = manifest.entries.reduce(0) { $0 + ($1.lfsSize ?? 0) }
    }
}

/// A ref tip that upstream rewrote or deleted, kept in the mirror under `archived_as`.
public struct LostRef: Equatable, Sendable {
    public var name: String
    public var archivedAs: String
    public var target: String
    /// The new tip after a force-push; nil after a deletion.
    public var replacedBy: String?
    /// `forced` or `deleted`.
    public var reason: String
    /// When it was lost, as the catalog stores it (``Catalog/timestamp(_:)``).
    public var lostAt: String

    public init(name: String, archivedAs: String, target: String, replacedBy: String?, reason: String, lostAt: String) {
        self.name = name
        self.archivedAs = archivedAs
        self.target = target
        self.replacedBy = replacedBy
        self.reason = reason
        self.lostAt = lostAt
    }

    /// A tip lost at `lostAt`, which the catalog keeps in its timestamp form.
    public init(name: String, archivedAs: String, target: String, replacedBy: String?, reason: String, lostAt: Date) {
        self.init(name: name, archivedAs: archivedAs, target: target, replacedBy: replacedBy, reason: reason, lostAt: Catalog.timestamp(lostAt))
    }
}

/// One snapshot row.
public struct SnapshotRecord: Equatable, Sendable {
    public var seq: Int64
    public var id: ContentID
    /// When it was taken, as the catalog stores it (``Catalog/timestamp(_:)``).
    public var takenAt: String
    public var head: String?
    public var headRef: String?
    public var manifest: ContentID?
    public var refs: [String: String]

    public init(seq: Int64 = 0, id: ContentID, takenAt: String, head: String?, headRef: String?, manifest: ContentID?, refs: [String: String]) {
        self.seq = seq
        self.id = id
        self.takenAt = takenAt
        self.head = head
        self.headRef = headRef
        self.manifest = manifest
        self.refs = refs
    }

    /// A snapshot taken at `takenAt`, which the catalog keeps in its timestamp form.
    public init(id: ContentID, takenAt: Date, head: String?, headRef: String?, manifest: ContentID?, refs: [String: String]) {
        self.init(id: id, takenAt: Catalog.timestamp(takenAt), head: head, headRef: headRef, manifest: manifest, refs: refs)
    }
}

/// Visit outcomes, as SPEC.md names them.
public enum VisitStatus: String, Sendable {
    case full, partial, failed, notFound = "not-found"
}

/// Everything one visit adds to the catalog, written in one transaction.
public struct VisitRecord: Sendable {
    public var packageRowID: Int64
    public var repositoryRowID: Int64?
    public var crawlID: Int64?
    /// When the visit began and ended; the catalog writes them in its timestamp form.
    public var startedAt: Date
    public var finishedAt: Date
    public var status: VisitStatus
    public var eventful: Bool
    public var error: String?
    public var objectsReceived: Int
    public var bytesReceived: Int
    public var commits: [CommitRecord] = []
    public var blobs: [BlobInfo] = []
    public var manifests: [ManifestRecord] = []
    /// Packs made durable for this visit, indexed in its transaction.
    public var packs: [PackRecord] = []
    /// The repository's archived refs after this visit; nil leaves them as they were.
    public var refTips: [String: String]?
    public var defaultBranch: String?
    public var lostRefs: [LostRef] = []
    public var snapshot: SnapshotRecord?
    /// What the hub said about the package at this visit (canonical JSON), kept verbatim.
    public var metadata: String?
    /// The hub reported the archived head, so the visit made no git connection.
    public var skippedGit = false
    /// The package's observation at this visit.
    public var observation: ObservationRecord?

    public init(packageRowID: Int64, repositoryRowID: Int64?, crawlID: Int64?, startedAt: Date, finishedAt: Date,
                status: VisitStatus, eventful: Bool, error: String?, objectsReceived: Int = 0, bytesReceived: Int = 0) {
        self.packageRowID = packageRowID
        self.repositoryRowID = repositoryRowID
        self.crawlID = crawlID
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.status = status
        self.eventful = eventful
        self.error = error
        self.objectsReceived = objectsReceived
        self.bytesReceived = bytesReceived
    }
}

/// A package row with its repository.
public struct PackageRecord: Equatable, Sendable {
    public var rowID: Int64
    public var hub: String
    public var id: String
    public var repositoryRowID: Int64?
    public var repository: String?
    public var mirrorPath: String?
    public var subpath: String
    public var firstSeen: String
    public var lastSeen: String
    public var deleted: Bool
    public var gated: Bool = false
    /// The package's files in its repository (its subpath, narrowed for a folder's entries).
    public var scope: PackageScope = PackageScope(subpath: "")
    /// The hub no longer lists the package (removed from a `git` hub's `repositories`, or no
    /// longer matched by the hub's query) though it still exists: its archive stays, it is not
    /// visited, and listing it again resumes it.
    public var unlisted: Bool = false

    /// `hub:id`, the unambiguous name.
    public var qualifiedName: String { "\(hub):\(id)" }
}
