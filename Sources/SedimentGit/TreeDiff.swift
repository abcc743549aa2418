import CGit2
import Foundation

/// One file that differs between two trees, before rename detection pairs deletions with
/// additions. Paths are the bytes git stores (``GitPath`` turns them into text at the end).
struct TreeDelta {
    var status: ChangeStatus
    var oldPath: [UInt8]?
    var newPath: [UInt8]?
    var oldID: ObjectID?
    var newID: ObjectID?
    var oldMode: UInt32?
    var newMode: UInt32?

    var fileChange: FileChange {
        FileChange(status: status, oldPath: oldPath.map { GitPath.text($0) }, newPath: newPath.map { GitPath.text($0) },
                   oldID: oldID, newID: newID, oldMode: oldMode, newMode: newMode)
    }
}

extension Repository {
    /// The files that differ between tree `old` (nil: the empty tree) and tree `new`, as
    /// `git diff-tree -r` lists them before rename detection: depth first in git's tree
    /// order, a folder whose id did not change skipped without being read, a changed mode or
    /// content `modified`, a change between file, symlink and submodule `typeChanged`, and a
    /// file replaced by a folder a deletion plus additions. Folders nested deeper than
    /// ``maximumTreeDepth`` fail the diff (a hostile tree must not exhaust memory), with an
    /// explicit stack instead of recursion.
    func treeDeltas(from old: ObjectID?, to new: ObjectID?, label: String) throws -> [TreeDelta] {
        var stack: [TreeDiffFrame] = []
        defer { for frame in stack { frame.free() } }
        func open(_ oid: UnsafePointer<git_oid>, _ where_: [UInt8]) throws -> OpaquePointer {
            var tree: OpaquePointer?
            try check(git_tree_lookup(&tree, handle, oid), "read tree \(GitPath.text(where_)) of \(label)", path)
            return tree!
        }
        func open(_ id: ObjectID?) throws -> OpaquePointer? {
            guard var raw = id?.raw else { return nil }
            return try open(&raw, [])
        }
        func push(_ old: OpaquePointer?, _ new: OpaquePointer?, _ prefix: [UInt8]) throws {
            guard stack.count < Self.maximumTreeDepth else {
                old.map { git_tree_free($0) }
                new.map { git_tree_free($0) }
                throw GitError(resultCode: -1, errorClass: 0,
                               message: "folders nest deeper than \(Self.maximumTreeDepth) levels (at \(GitPath.text(prefix.prefix(60))))…)",
                               operation: "read tree", context: path)
            }
            stack.append(TreeDiffFrame(old: old, new: new, prefix: prefix))
        }
        let oldRoot = try open(old)
        let newRoot: OpaquePointer?
        do { newRoot = try open(new) } catch { oldRoot.map { git_tree_free($0) }; throw error }
        try push(oldRoot, newRoot, [])

        var deltas: [TreeDelta] = []
        while let top = stack.last {
            let oldEntry = top.oldIndex < top.oldCount ? git_tree_entry_byindex(top.old, top.oldIndex) : nil
            let newEntry = top.newIndex < top.newCount ? git_tree_entry_byindex(top.new, top.newIndex) : nil
            if oldEntry == nil && newEntry == nil {
                stack.removeLast().free()
                continue
            }
            let order: Int32 = oldEntry == nil ? 1 : newEntry == nil ? -1 : TreeEntryName.compare(oldEntry!, newEntry!)
            if order < 0 { stack[stack.count - 1].oldIndex += 1 }
            if order > 0 { stack[stack.count - 1].newIndex += 1 }
            if order == 0 { stack[stack.count - 1].oldIndex += 1; stack[stack.count - 1].newIndex += 1 }
            let oldSide = order <= 0 ? oldEntry : nil, newSide = order >= 0 ? newEntry : nil
            if let oldSide, let newSide {
                // Same name and both folders or both not: equal ids mean nothing changed below.
                guard git_oid_equal(git_tree_entry_id(oldSide), git_tree_entry_id(newSide)) == 0
                        || git_tree_entry_filemode(oldSide) != git_tree_entry_filemode(newSide) else { continue }
            }
            let entry = (newSide ?? oldSide)!
            let path = top.prefix + TreeEntryName.bytes(entry)
            if git_tree_entry_type(entry) == GIT_OBJECT_TREE {
                let oldTree = try oldSide.map { try open(git_tree_entry_id($0), path) }
                let newTree: OpaquePointer?
                do { newTree = try newSide.map { try open(git_tree_entry_id($0), path) } } catch {
                    oldTree.map { git_tree_free($0) }
                    throw error
                }
                try push(oldTree, newTree, path + [UInt8(ascii: "/")])
                continue
            }
            var delta = TreeDelta(status: .modified, oldPath: nil, newPath: nil, oldID: nil, newID: nil, oldMode: nil, newMode: nil)
            if let oldSide {
                (delta.oldPath, delta.oldID, delta.oldMode) = (path, ObjectID(git_tree_entry_id(oldSide)), UInt32(git_tree_entry_filemode(oldSide).rawValue))
            }
            if let newSide {
                (delta.newPath, delta.newID, delta.newMode) = (path, ObjectID(git_tree_entry_id(newSide)), UInt32(git_tree_entry_filemode(newSide).rawValue))
            }
            switch (delta.oldMode, delta.newMode) {
            case (nil, _): delta.status = .added
            case (_, nil): delta.status = .deleted
            case let (before?, after?): delta.status = before & 0o170000 == after & 0o170000 ? .modified : .typeChanged
            }
            deltas.append(delta)
        }
        return deltas
    }
}

/// One open folder of ``Repository/treeDeltas(from:to:label:)``: its two trees (either may
/// be absent, and each is owned), its path with a trailing `/`, and the next entry of each.
private struct TreeDiffFrame {
    let old: OpaquePointer?
    let new: OpaquePointer?
    let prefix: [UInt8]
    let oldCount: Int
    let newCount: Int
    var oldIndex = 0
    var newIndex = 0

    init(old: OpaquePointer?, new: OpaquePointer?, prefix: [UInt8]) {
        (self.old, self.new, self.prefix) = (old, new, prefix)
        oldCount = old.map { git_tree_entrycount($0) } ?? 0
        newCount = new.map { git_tree_entrycount($0) } ?? 0
    }

    func free() {
        old.map { git_tree_free($0) }
        new.map { git_tree_free($0) }
    }
}

/// Tree entry names as git orders them.
enum TreeEntryName {
    /// The name's bytes.
    static func bytes(_ entry: OpaquePointer) -> [UInt8] {
        let name = git_tree_entry_name(entry)!
        return Array(UnsafeRawBufferPointer(start: name, count: strlen(name)))
    }

    /// git's `base_name_compare`: bytes first, and a folder's name compares as if it ended in `/`.
    static func compare(_ a: OpaquePointer, _ b: OpaquePointer) -> Int32 {
        let nameA = git_tree_entry_name(a)!, nameB = git_tree_entry_name(b)!
        let lengthA = strlen(nameA), lengthB = strlen(nameB)
        let common = min(lengthA, lengthB)
        let bytes = memcmp(nameA, nameB, common)
        if bytes != 0 { return bytes }
        func next(_ name: UnsafePointer<CChar>, _ length: Int, _ entry: OpaquePointer) -> UInt8 {
            if length > common { return UInt8(bitPattern: name[common]) }
            return git_tree_entry_type(entry) == GIT_OBJECT_TREE ? UInt8(ascii: "/") : 0
        }
        let tailA = next(nameA, lengthA, a), tailB = next(nameB, lengthB, b)
        return tailA < tailB ? -1 : tailA > tailB ? 1 : 0
    }
}
