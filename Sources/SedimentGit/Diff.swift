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
    /// commit), with renames detected as `git diff -M` does (50% similarity).
    public func changes(of commit: CommitInfo) throws -> [FileChange] {
        var newTree: OpaquePointer?
        var treeID = commit.tree.raw
        try check(git_tree_lookup(&newTree, handle, &treeID), "read tree of \(commit.id.hex)", path)
        defer { git_tree_free(newTree) }
        var oldTree: OpaquePointer?
        defer { if let oldTree { git_tree_free(oldTree) } }
        if let parent = commit.parents.first {
            let parentInfo = try self.commit(parent)
            var parentTree = parentInfo.tree.raw
            try check(git_tree_lookup(&oldTree, handle, &parentTree), "read tree of \(parent.hex)", path)
        }

        var options = git_diff_options()
        git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION))
        var diff: OpaquePointer?
        try check(git_diff_tree_to_tree(&diff, handle, oldTree, newTree, &options), "diff \(commit.id.hex)", path)
        defer { git_diff_free(diff) }
        if oldTree != nil {
            var find = git_diff_find_options()
            git_diff_find_options_init(&find, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION))
            find.flags = GIT_DIFF_FIND_RENAMES.rawValue
            try check(git_diff_find_similar(diff, &find), "detect renames in \(commit.id.hex)", path)
        }

        return fileChanges(diff) { $0.map { String(cString: $0) } }
    }

    /// The deltas of a diff as ``FileChange``s, paths passed through `path`.
    private func fileChanges(_ diff: OpaquePointer?, path: (UnsafePointer<CChar>?) -> String?) -> [FileChange] {
        var result: [FileChange] = []
        for index in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, index)?.pointee else { continue }
            let status: ChangeStatus
            switch delta.status {
            case GIT_DELTA_ADDED: status = .added
            case GIT_DELTA_DELETED: status = .deleted
            case GIT_DELTA_MODIFIED: status = .modified
            case GIT_DELTA_RENAMED: status = .renamed
            case GIT_DELTA_COPIED: status = .copied
            case GIT_DELTA_TYPECHANGE: status = .typeChanged
            default: continue
            }
            let hasOld = status != .added, hasNew = status != .deleted
            result.append(FileChange(
                status: status,
                oldPath: hasOld ? path(delta.old_file.path) : nil, newPath: hasNew ? path(delta.new_file.path) : nil,
                oldID: hasOld ? ObjectID(delta.old_file.id) : nil, newID: hasNew ? ObjectID(delta.new_file.id) : nil,
                oldMode: hasOld ? UInt32(delta.old_file.mode) : nil, newMode: hasNew ? UInt32(delta.new_file.mode) : nil))
        }
        return result
    }
}

extension Repository {
    /// The files that differ between two commits, with renames detected as `git diff -M` does.
    /// With a `subpath`, only files under it, with paths relative to it.
    public func changes(from old: ObjectID, to new: ObjectID, subpath: String = "") throws -> [FileChange] {
        func tree(_ commit: ObjectID) throws -> OpaquePointer {
            var treeID = try self.commit(commit).tree.raw
            var tree: OpaquePointer?
            try check(git_tree_lookup(&tree, handle, &treeID), "read tree of \(commit.hex)", path)
            return tree!
        }
        let oldTree = try tree(old)
        defer { git_tree_free(oldTree) }
        let newTree = try tree(new)
        defer { git_tree_free(newTree) }
        let prefix = subpath.split(separator: "/").joined(separator: "/")
        var options = git_diff_options()
        git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION))
        var diff: OpaquePointer?
        let rc: Int32 = prefix.isEmpty
            ? git_diff_tree_to_tree(&diff, handle, oldTree, newTree, &options)
            : withStrArray([prefix + "/"]) { pathspec in
                options.pathspec = pathspec
                return git_diff_tree_to_tree(&diff, handle, oldTree, newTree, &options)
            }
        try check(rc, "diff \(old.short)..\(new.short)", path)
        defer { git_diff_free(diff) }
        var find = git_diff_find_options()
        git_diff_find_options_init(&find, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION))
        find.flags = GIT_DIFF_FIND_RENAMES.rawValue
        try check(git_diff_find_similar(diff, &find), "detect renames in \(old.short)..\(new.short)", path)
        func relative(_ pointer: UnsafePointer<CChar>?) -> String? {
            guard let pointer else { return nil }
            let full = String(cString: pointer)
            return prefix.isEmpty ? full : String(full.dropFirst(prefix.count + 1))
        }
        return fileChanges(diff, path: relative)
    }
}
