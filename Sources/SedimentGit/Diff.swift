import CGit2
import Foundation

/// How a file changed between two trees.
public enum ChangeStatus: String, Sendable {
    case added, modified, deleted, renamed, typeChanged = "type-changed", copied
}

/// One file changed by a commit (against its first parent, or the empty tree for a root commit).
public struct FileChange: Sendable, Equatable {
    public var status: ChangeStatus
    public var oldPath: String?
    public var newPath: String?
    public var oldID: ObjectID?
    public var newID: ObjectID?
    public var oldMode: UInt32?
    public var newMode: UInt32?

    public init(status: ChangeStatus, oldPath: String?, newPath: String?, oldID: ObjectID?, newID: ObjectID?, oldMode: UInt32?, newMode: UInt32?) {
        (self.status, self.oldPath, self.newPath, self.oldID, self.newID, self.oldMode, self.newMode) =
            (status, oldPath, newPath, oldID, newID, oldMode, newMode)
    }
}

extension Repository {
    /// The files `commit` changed against its first parent (everything is added for a root
    /// commit), with renames detected as `git diff -M` finds them (see ``RenameDetection``).
    /// Only the folders whose ids changed are read, and blobs only to score a possible
    /// rename that is not exact. To read many commits, one ``ChangeReader`` does less work.
    public func changes(of commit: CommitInfo) throws -> [FileChange] {
        try ChangeReader(self).changes(of: commit)
    }

    /// The tree of a commit, read without its signatures or message.
    func treeID(ofCommit id: ObjectID) throws -> ObjectID {
        var oid = id.raw
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, handle, &oid), "read commit \(id.hex)", path)
        defer { git_commit_free(commit) }
        return ObjectID(git_commit_tree_id(commit))
    }

    /// The files that differ between two commits, with renames detected as `git diff -M` does.
    /// With a `subpath`, only files under it, with paths relative to it (as `git diff -M --
    /// subpath/` with the prefix taken off).
    public func changes(from old: ObjectID, to new: ObjectID, subpath: String = "") throws -> [FileChange] {
        let prefix = subpath.split(separator: "/").joined(separator: "/")
        func tree(_ commit: ObjectID) throws -> ObjectID? {
            let root = try treeID(ofCommit: commit)
            guard !prefix.isEmpty else { return root }
            guard let folder = try entry(prefix, at: commit), folder.kind == GIT_OBJECT_TREE else { return nil }
            return folder.id
        }
        return try ChangeReader(self).changes(from: tree(old), to: tree(new), label: "\(old.short)..\(new.short)").map(\.fileChange)
    }
}
