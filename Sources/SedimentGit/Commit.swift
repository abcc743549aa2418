import CGit2
import Foundation

/// A person and instant as recorded in a commit.
public struct Signature: Sendable, Equatable {
    public var name: String
    public var email: String
    /// Seconds since the Unix epoch.
    public var time: Int64
    /// Offset from UTC in minutes.
    public var offsetMinutes: Int32
}

/// One commit's recorded facts.
public struct CommitInfo: Sendable {
    public var id: ObjectID
    public var tree: ObjectID
    public var parents: [ObjectID]
    public var author: Signature
    public var committer: Signature
    public var message: String
}

extension Repository {
    /// The commits reachable from `tips` and not from `hidden`, newest first (topological,
    /// then by time). Tips that are not commits (a tag of a tree, say) are peeled or skipped.
    public func commits(from tips: [ObjectID], hiding hidden: [ObjectID]) throws -> [CommitInfo] {
        var walk: OpaquePointer?
        try check(git_revwalk_new(&walk, handle), "walk history", path)
        defer { git_revwalk_free(walk) }
        git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue)
        var pushed = 0
        for tip in Set(tips) {
            guard let commit = peelToCommit(tip) else { continue }
            var oid = commit.raw
            try check(git_revwalk_push(walk, &oid), "walk history", path)
            pushed += 1
        }
        guard pushed > 0 else { return [] }
        for tip in Set(hidden) {
            guard let commit = peelToCommit(tip) else { continue }
            var oid = commit.raw
            if git_revwalk_hide(walk, &oid) < 0 { git_error_clear() }
        }
        var result: [CommitInfo] = []
        var oid = git_oid()
        while true {
            let rc = git_revwalk_next(&oid, walk)
            if rc == GIT_ITEROVER.rawValue { break }
            try check(rc, "walk history", path)
            result.append(try commit(ObjectID(oid)))
        }
        return result
    }

    /// The facts of one commit.
    public func commit(_ id: ObjectID) throws -> CommitInfo {
        var oid = id.raw
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, handle, &oid), "read commit \(id.hex)", path)
        defer { git_commit_free(commit) }
        var parents: [ObjectID] = []
        for index in 0..<git_commit_parentcount(commit) {
            if let parent = git_commit_parent_id(commit, index) { parents.append(ObjectID(parent)) }
        }
        func signature(_ sig: UnsafePointer<git_signature>?) -> Signature {
            guard let sig else { return Signature(name: "", email: "", time: 0, offsetMinutes: 0) }
            return Signature(
                name: sig.pointee.name.map { String(cString: $0) } ?? "",
                email: sig.pointee.email.map { String(cString: $0) } ?? "",
                time: Int64(sig.pointee.when.time),
                offsetMinutes: Int32(sig.pointee.when.offset))
        }
        return CommitInfo(
            id: id,
            tree: ObjectID(git_commit_tree_id(commit)),
            parents: parents,
            author: signature(git_commit_author(commit)),
            committer: signature(git_commit_committer(commit)),
            message: git_commit_message_raw(commit).map { String(cString: $0) } ?? "")
    }
}
