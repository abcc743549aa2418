import Foundation

/// One object asked of a Git LFS server: its oid (SHA-256, 64 hex) and size.
public struct LFSObjectRequest: Sendable, Hashable {
    public var oid: String
    public var size: Int64

    public init(oid: String, size: Int64) {
        self.oid = oid
        self.size = size
    }
}

/// Where and how to download one object, as the batch API answered
/// (`actions.download`: `href`, `header`, `expires_in` / `expires_at`).
public struct LFSAction: Sendable {
    public var href: String
    /// Headers the download must carry (often a signed authorization); secret.
    public var header: [String: String]
    /// When the action stops being valid, if the server said.
    public var expiresAt: Date?

    public init(href: String, header: [String: String] = [:], expiresAt: Date? = nil) {
        self.href = href
        self.header = header
        self.expiresAt = expiresAt
    }

    /// Whether the action is expired at `now`, or will be within `margin` seconds.
    public func isExpired(at now: Date, margin: Double = 5) -> Bool {
        guard let expiresAt else { return false }
        return expiresAt.timeIntervalSince(now) <= margin
    }
}

/// The batch API's answer for one object: an action to follow, or an error for that object.
public struct LFSBatchAnswer: Sendable {
    public var oid: String
    public var size: Int64
    public var action: LFSAction?
    /// The per-object error (`error.code`, `error.message`): 404 missing, 410 removed, 422 invalid.
    public var error: (code: Int, message: String)?

    public init(oid: String, size: Int64, action: LFSAction?, error: (code: Int, message: String)?) {
        self.oid = oid
        self.size = size
        self.action = action
        self.error = error
    }
}

/// A Git LFS request that failed as a whole. Descriptions never contain a secret.
public struct LFSError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The server refused the batch request (its HTTP status).
        case refused(status: Int)
        /// The answer is not the batch API's JSON.
        case malformed
        /// The repository URL has no LFS server (a local path).
        case noEndpoint
    }

    public var kind: Kind
    /// The URL concerned, redacted and without its query.
    public var url: String
    public var message: String

    public var description: String { "LFS \(url): \(message)" }
}
