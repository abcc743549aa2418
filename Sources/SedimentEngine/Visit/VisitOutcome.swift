import Foundation
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
    /// Seconds spent in each step ("fetch", "walk", "manifests", "record").
    public var timings: [(String, Double)] = []

    public var qualifiedName: String { "\(hub):\(package)" }
    /// Whether this outcome makes `sync` exit 1.
    public var isFailure: Bool { status == .failed || status == .notFound }
}
