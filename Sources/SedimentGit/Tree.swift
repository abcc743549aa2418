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
            let rc = GitPath.withCString(trimmed) { git_tree_entry_bypath(&entry, root, $0) }
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

    /// Folders nested deeper than this fail the walk: no real repository comes near it, and a
    /// hostile one (a 2 MB repository 30,000 levels deep) must not exhaust the stack or memory.
    public static let maximumTreeDepth = 512

    /// Every file under `tree`, depth first in tree order, with an explicit stack (no
    /// recursion). Names that are not UTF-8 keep their bytes (see ``GitPath``).
    private func walk(_ tree: OpaquePointer, prefix: String, into files: inout [TreeFile]) throws {
        // One frame per open folder: its tree (owned, except the root), its path, the next entry.
        var stack: [(tree: OpaquePointer, path: String, next: Int, owned: Bool)] = [(tree, prefix, 0, false)]
        defer { for frame in stack where frame.owned { git_tree_free(frame.tree) } }
        while let top = stack.last {
            guard top.next < git_tree_entrycount(top.tree) else {
                let done = stack.removeLast()
                if done.owned { git_tree_free(done.tree) }
                continue
            }
            stack[stack.count - 1].next += 1
            guard let entry = git_tree_entry_byindex(top.tree, top.next) else { continue }
            let name = GitPath.text(cString: git_tree_entry_name(entry))
            let path = top.path.isEmpty ? name : top.path + "/" + name
            if git_tree_entry_type(entry) == GIT_OBJECT_TREE {
                guard stack.count < Self.maximumTreeDepth else {
                    throw GitError(resultCode: -1, errorClass: 0, message: "folders nest deeper than \(Self.maximumTreeDepth) levels (at \(path.prefix(60))…)",
                                   operation: "read tree", context: self.path)
                }
                var child: OpaquePointer?
                try check(git_tree_lookup(&child, handle, git_tree_entry_id(entry)), "read tree \(path)", self.path)
                stack.append((child!, path, 0, true))
            } else {
                files.append(TreeFile(path: path, mode: UInt32(git_tree_entry_filemode(entry).rawValue), id: ObjectID(git_tree_entry_id(entry))))
            }
        }
    }
}

extension Repository {
    /// The content of the file at `path` in `commit`, or nil when there is no such file.
    public func readFile(_ path: String, at commit: ObjectID) throws -> Data? {
        guard let file = try entry(path, at: commit), file.kind == GIT_OBJECT_BLOB else { return nil }
        return try withBlob(file.id) { Data($0) }
    }

    /// The entry at `path` in `commit` (its id, mode and kind), or nil when absent: the one
    /// lookup by path, with the path's bytes as ``GitPath`` gives them.
    func entry(_ path: String, at commit: ObjectID) throws -> (id: ObjectID, mode: UInt32, kind: git_object_t)? {
        let info = try self.commit(commit)
        var treeID = info.tree.raw
        var tree: OpaquePointer?
        try check(git_tree_lookup(&tree, handle, &treeID), "read tree of \(commit.hex)", self.path)
        defer { git_tree_free(tree) }
        var entry: OpaquePointer?
        let rc = GitPath.withCString(path) { git_tree_entry_bypath(&entry, tree, $0) }
        if rc == GIT_ENOTFOUND.rawValue { git_error_clear(); return nil }
        try check(rc, "find \(path) in \(commit.hex)", self.path)
        defer { git_tree_entry_free(entry) }
        return (ObjectID(git_tree_entry_id(entry)), UInt32(git_tree_entry_filemode(entry).rawValue), git_tree_entry_type(entry))
    }
}

extension Repository {
    /// The id of the tree or blob at `path` in `commit`, or nil when absent.
    public func entryID(_ path: String, at commit: ObjectID) throws -> ObjectID? {
        try entry(path, at: commit)?.id
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

/// A set of files of a repository for the tree operations: everything under `subpath`, less
/// `excluded` (paths relative to it), plus one `extra` file outside it (a repository path)
/// listed under `extraName` (its path relative to `subpath`, such as `../README.md`).
public struct TreeSelection: Sendable, Equatable {
    public var subpath: String
    public var excluded: Set<String>
    public var extra: (path: String, name: String)?

    public init(subpath: String, excluded: Set<String> = [], extra: (path: String, name: String)? = nil) {
        self.subpath = subpath
        self.excluded = excluded
        self.extra = extra
    }

    public static func == (a: TreeSelection, b: TreeSelection) -> Bool {
        a.subpath == b.subpath && a.excluded == b.excluded && a.extra?.path == b.extra?.path && a.extra?.name == b.extra?.name
    }
}

extension Repository {
    /// The files of `selection` in `commit`, paths relative to its subpath; the extra file
    /// comes first when present. Empty when neither the subpath nor the extra file exists.
    public func files(of commit: ObjectID, selection: TreeSelection) throws -> [TreeFile] {
        var files = try self.files(of: commit, subpath: selection.subpath).filter { !selection.excluded.contains($0.path) }
        if let extra = selection.extra, let file = try fileEntry(extra.path, at: commit) {
            files.insert(TreeFile(path: extra.name, mode: file.mode, id: file.id), at: 0)
        }
        return files
    }

    /// The file (not a folder) at `path` in `commit`, or nil.
    public func fileEntry(_ path: String, at commit: ObjectID) throws -> TreeFile? {
        guard let file = try entry(path, at: commit), file.kind != GIT_OBJECT_TREE else { return nil }
        return TreeFile(path: path, mode: file.mode, id: file.id)
    }

    /// The last commit, following first parents from `head`, that changed a file of
    /// `selection`; nil when the selection holds no file at `head`. Commits that change only
    /// excluded files are passed over, as `git log -- subpath ':!excluded'` would.
    public func lastCommit(touching selection: TreeSelection, from head: ObjectID) throws -> ObjectID? {
        if selection.excluded.isEmpty && selection.extra == nil { return try lastCommit(touching: selection.subpath, from: head) }
        // Cheap identity first (the subpath's tree and the extra file's blob); the selected
        // files are listed only where the subpath's tree changed.
        func key(_ commit: ObjectID) throws -> (tree: ObjectID?, extra: ObjectID?) {
            (try entryID(selection.subpath, at: commit), try selection.extra.flatMap { try entryID($0.path, at: commit) })
        }
        func signature(_ commit: ObjectID) throws -> [String] {
            try files(of: commit, selection: selection).map { "\($0.path)\u{0}\($0.mode)\u{0}\($0.id.hex)" }
        }
        var current = try key(head)
        var currentFiles = try signature(head)
        guard !currentFiles.isEmpty else { return nil }
        var commit = head
        var steps = 0
        while steps < 1_000_000 {
            steps += 1
            guard let parent = try self.commit(commit).parents.first else { return commit }
            let before = try key(parent)
            if before.tree == current.tree && before.extra == current.extra {
                commit = parent
                continue
            }
            let beforeFiles = try signature(parent)
            if beforeFiles != currentFiles { return commit }
            (commit, current, currentFiles) = (parent, before, beforeFiles)
        }
        return commit
    }
}
