import CGit2
import Foundation

/// One file (blob, symlink or submodule link) in a commit's tree.
public struct TreeFile: Sendable, Equatable {
    /// Path from the root of the walked tree, `/`-separated.
    public var path: String
    /// The git file mode: 0o100644, 0o100755, 0o120000 (symlink) or 0o160000 (submodule).
    public var mode: UInt32
    /// The blob id (the commit id for a submodule).
    public var id: ObjectID
}

extension Repository {
    /// Every file under `subpath` (the whole tree when empty) of `commit`, in tree order.
    /// Paths are relative to `subpath`. An absent subpath gives no files.
    public func files(of commit: ObjectID, subpath: String = "") throws -> [TreeFile] {
        var oid = commit.raw
        var commitHandle: OpaquePointer?
        try check(git_commit_lookup(&commitHandle, handle, &oid), "read commit \(commit.hex)", path)
        defer { git_commit_free(commitHandle) }
        var root: OpaquePointer?
        try check(git_commit_tree(&root, commitHandle), "read tree of \(commit.hex)", path)
        defer { git_tree_free(root) }

        var tree = root
        var subtree: OpaquePointer?
        defer { if let subtree { git_tree_free(subtree) } }
        let trimmed = subpath.split(separator: "/").joined(separator: "/")
        if !trimmed.isEmpty {
            var entry: OpaquePointer?
            let rc = git_tree_entry_bypath(&entry, root, trimmed)
            if rc == GIT_ENOTFOUND.rawValue { git_error_clear(); return [] }
            try check(rc, "find \(trimmed) in \(commit.hex)", path)
            defer { git_tree_entry_free(entry) }
            guard git_tree_entry_type(entry) == GIT_OBJECT_TREE else { return [] }
            try check(git_tree_lookup(&subtree, handle, git_tree_entry_id(entry)), "read tree \(trimmed)", path)
            tree = subtree
        }

        var files: [TreeFile] = []
        try walk(tree!, prefix: "", into: &files)
        return files
    }

    private func walk(_ tree: OpaquePointer, prefix: String, into files: inout [TreeFile]) throws {
        let count = git_tree_entrycount(tree)
        for index in 0..<count {
            guard let entry = git_tree_entry_byindex(tree, index) else { continue }
            let name = String(cString: git_tree_entry_name(entry))
            let path = prefix.isEmpty ? name : prefix + "/" + name
            let mode = UInt32(git_tree_entry_filemode(entry).rawValue)
            let id = ObjectID(git_tree_entry_id(entry))
            if git_tree_entry_type(entry) == GIT_OBJECT_TREE {
                var child: OpaquePointer?
                try check(git_tree_lookup(&child, handle, git_tree_entry_id(entry)), "read tree \(path)", self.path)
                defer { git_tree_free(child) }
                try walk(child!, prefix: path, into: &files)
            } else {
                files.append(TreeFile(path: path, mode: mode, id: id))
            }
        }
    }
}

extension Repository {
    /// The content of the file at `path` in `commit`, or nil when there is no such file.
    public func readFile(_ path: String, at commit: ObjectID) throws -> Data? {
        var oid = commit.raw
        var commitHandle: OpaquePointer?
        try check(git_commit_lookup(&commitHandle, handle, &oid), "read commit \(commit.hex)", self.path)
        defer { git_commit_free(commitHandle) }
        var root: OpaquePointer?
        try check(git_commit_tree(&root, commitHandle), "read tree of \(commit.hex)", self.path)
        defer { git_tree_free(root) }
        var entry: OpaquePointer?
        let rc = git_tree_entry_bypath(&entry, root, path)
        if rc == GIT_ENOTFOUND.rawValue { git_error_clear(); return nil }
        try check(rc, "find \(path) in \(commit.hex)", self.path)
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return nil }
        return try withBlob(ObjectID(git_tree_entry_id(entry))) { Data($0) }
    }
}

extension Repository {
    /// The id of the tree or blob at `path` in `commit`, or nil when absent.
    public func entryID(_ path: String, at commit: ObjectID) throws -> ObjectID? {
        let info = try self.commit(commit)
        var treeID = info.tree.raw
        var tree: OpaquePointer?
        try check(git_tree_lookup(&tree, handle, &treeID), "read tree of \(commit.hex)", self.path)
        defer { git_tree_free(tree) }
        var entry: OpaquePointer?
        let rc = git_tree_entry_bypath(&entry, tree, path)
        if rc == GIT_ENOTFOUND.rawValue { git_error_clear(); return nil }
        try check(rc, "find \(path) in \(commit.hex)", self.path)
        defer { git_tree_entry_free(entry) }
        return ObjectID(git_tree_entry_id(entry))
    }

    /// The last commit, following first parents from `head`, that changed anything under
    /// `subpath` (as `git log --first-parent -1 -- subpath`); nil when `subpath` is absent at `head`.
    public func lastCommit(touching subpath: String, from head: ObjectID) throws -> ObjectID? {
        guard var current = try entryID(subpath, at: head) else { return nil }
        var commit = head
        var steps = 0
        while true {
            let info = try self.commit(commit)
            guard let parent = info.parents.first else { return commit }
            let before = try entryID(subpath, at: parent)
            if before != current { return commit }
            commit = parent
            current = before!
            steps += 1
            if steps > 1_000_000 { return commit }
        }
    }
}
