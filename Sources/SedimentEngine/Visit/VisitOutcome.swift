import Foundation
import SedimentNetwork
import SedimentStore

/// The result of one visit, as reported to the command line and the log.
public struct VisitOutcome: Sendable {
    public var hub: String
    public var package: String
    public var status: VisitStatus
    public var eventful: Bool
    public var error: String?
    public var objectsReceived: Int
    public var bytesReceived: Int
    public var newCommits: Int
    public var newBlobs: Int
    public var hashedBytes: Int64
    public var lostRefs: Int
    public var snapshot: ContentID?
    /// The hub reported the archived head: no git connection was made.
    public var skippedGit = false
    /// The package has no repository (the hub names none): only its metadata was kept.
    public var metadataOnly = false
    /// The hub says the package no longer exists (it is marked deleted; its archive stays).
    public var deletedUpstream = false
    /// The catalog row of the package.
    public var packageRowID: Int64 = 0
    /// The visit was stopped by a shutdown before it was done: before it could be recorded
    /// (nothing of it is), or in its LFS downloads (after its git archive was recorded). Its
    /// schedule does not advance, so it is redone at the next start.
    public var interrupted = false
    /// With `lfs = "fetch"`: LFS objects downloaded and stored by this visit, and their bytes.
    public var lfsStored = 0
    public var lfsStoredBytes: Int64 = 0
    /// Wanted LFS objects that were already stored (for another package, or earlier).
    public var lfsDeduplicated = 0
    /// LFS objects the package still waits for after this visit.
    public var lfsPending = 0
    /// Why LFS objects could not be stored, one line per object; they stay pending.
    public var lfsProblems: [String] = []
    /// The visit failed for want of a resource of this machine (``LocalResourceFailure``):
    /// it is recorded failed, but it counts no failure of the package.
    public var localFailure = false
    /// What kind of failure a failed visit met, as the error that ended it said
    /// (``FailureCode/other`` for an error that carries none).
    public var failureCode: FailureCode?
    /// Files of the package that could not be read at this visit ("README.md: the front
    /// matter is not valid YAML: …"); the visit is archived all the same.
    public var warnings: [String] = []
    /// Seconds spent in each step ("fetch", "walk", "manifests", "record").
    public var timings: [(String, Double)] = []

    public init(hub: String, package: String, status: VisitStatus, eventful: Bool, error: String?, objectsReceived: Int, bytesReceived: Int,
                newCommits: Int, newBlobs: Int, hashedBytes: Int64, lostRefs: Int, snapshot: ContentID?) {
        self.hub = hub
        self.package = package
        self.status = status
        self.eventful = eventful
        self.error = error
        self.objectsReceived = objectsReceived
        self.bytesReceived = bytesReceived
        self.newCommits = newCommits
        self.newBlobs = newBlobs
        self.hashedBytes = hashedBytes
        self.lostRefs = lostRefs
        self.snapshot = snapshot
    }

    public var qualifiedName: String { "\(hub):\(package)" }
    /// Whether this outcome makes `sync` exit 1.
    /// A package its hub deleted is an event to archive, not a failure.
    public var isFailure: Bool { status == .failed || (status == .notFound && !deletedUpstream) }
}
