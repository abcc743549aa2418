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

/// Reads the changes of commits one after another, as `git log -M` shows them against each
/// first parent. It keeps the folders read by the last diff: walking history newest first,
/// a commit's parent is usually the next commit diffed, and its folders are then not read
/// twice. One reader per repository handle, on that handle's thread.
public final class ChangeReader {
    let repository: Repository
    private let odb: OpaquePointer
    private var previous: [TreeKey: TreeObject] = [:]
    private var current: [TreeKey: TreeObject] = [:]

    public init(_ repository: Repository) throws {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, repository.handle), "open the object database", repository.path)
        self.repository = repository
        self.odb = odb!
    }

    deinit { git_odb_free(odb) }

    /// The files `commit` changed against its first parent (everything is added for a root
    /// commit), with renames detected as `git diff -M` finds them (see ``RenameDetection``).
    public func changes(of commit: CommitInfo) throws -> [FileChange] {
        let parentTree = try commit.parents.first.map { try repository.treeID(ofCommit: $0) }
        return try changes(from: parentTree, to: commit.tree, label: "commit \(commit.id.hex)").map(\.fileChange)
    }

    /// The changes between two trees (nil: the empty tree), renames detected.
    func changes(from old: ObjectID?, to new: ObjectID?, label: String) throws -> [TreeDelta] {
        let deltas = try treeDeltas(from: old, to: new)
        var renames = RenameDetection(repository: repository, odb: odb, label: label)
        return try renames.apply(to: deltas)
    }

    /// The files that differ between tree `old` (nil: the empty tree) and tree `new`, as
    /// `git diff-tree -r` lists them before rename detection: depth first in git's tree
    /// order, a folder whose id did not change skipped without being read, a changed mode or
    /// content `modified`, a change between file, symlink and submodule `typeChanged`, and a
    /// file replaced by a folder a deletion plus additions. Folders nested deeper than
    /// ``Repository/maximumTreeDepth`` fail the diff as it reaches them (a hostile tree must
    /// not exhaust memory); the stack is explicit, never recursion.
    func treeDeltas(from old: ObjectID?, to new: ObjectID?) throws -> [TreeDelta] {
        (previous, current) = (current, [:])
        var stack = [TreeDiffFrame(old: try old.map { try tree($0) }, new: try new.map { try tree($0) }, prefix: [])]
        var deltas: [TreeDelta] = []
        frames: while var frame = stack.popLast() {
            var oldEntry = try frame.old?.entry(at: frame.oldOffset)
            var newEntry = try frame.new?.entry(at: frame.newOffset)
            while oldEntry != nil || newEntry != nil {
                let order: Int32 = oldEntry == nil ? 1 : newEntry == nil ? -1 : RawTreeEntry.order(oldEntry!, newEntry!)
                let oldSide = order <= 0 ? oldEntry : nil, newSide = order >= 0 ? newEntry : nil
                if let oldSide { frame.oldOffset = oldSide.next; oldEntry = try frame.old!.entry(at: oldSide.next) }
                if let newSide { frame.newOffset = newSide.next; newEntry = try frame.new!.entry(at: newSide.next) }
                // Same name, both folders or both not: the same id and mode mean nothing changed.
                if let oldSide, let newSide, oldSide.mode == newSide.mode, oldSide.sameObject(as: newSide) { continue }
                let entry = (newSide ?? oldSide)!
                let path = frame.prefix + entry.name
                if entry.isFolder {
                    let child = TreeDiffFrame(old: try oldSide.map { try tree($0.id, path) }, new: try newSide.map { try tree($0.id, path) },
                                              prefix: path + [0x2F])
                    stack.append(frame)
                    guard stack.count < Repository.maximumTreeDepth else {
                        throw GitError(resultCode: -1, errorClass: 0,
                                       message: "folders nest deeper than \(Repository.maximumTreeDepth) levels (at \(GitPath.text(path.prefix(60)))…)",
                                       operation: "read tree", context: repository.path)
                    }
                    stack.append(child)
                    continue frames
                }
                var delta = TreeDelta(status: .modified, oldPath: nil, newPath: nil, oldID: nil, newID: nil, oldMode: nil, newMode: nil)
                if let oldSide { (delta.oldPath, delta.oldID, delta.oldMode) = (path, oldSide.objectID, oldSide.mode) }
                if let newSide { (delta.newPath, delta.newID, delta.newMode) = (path, newSide.objectID, newSide.mode) }
                switch (oldSide?.mode, newSide?.mode) {
                case (nil, _): delta.status = .added
                case (_, nil): delta.status = .deleted
                case let (before?, after?): delta.status = before & 0o170000 == after & 0o170000 ? .modified : .typeChanged
                }
                deltas.append(delta)
            }
        }
        return deltas
    }

    private func tree(_ id: ObjectID) throws -> TreeObject {
        var raw = id.raw
        return try withUnsafeBytes(of: &raw) { try tree($0.baseAddress!.assumingMemoryBound(to: UInt8.self), []) }
    }

    /// Tree `id`, from the last two diffs when they read it.
    private func tree(_ id: UnsafePointer<UInt8>, _ path: [UInt8]) throws -> TreeObject {
        let key = TreeKey(id)
        if let known = current[key] ?? previous[key] {
            current[key] = known
            return known
        }
        let tree = try TreeObject(odb: odb, id: id, repository: repository, path: path)
        current[key] = tree
        return tree
    }
}

/// One open folder of ``ChangeReader/treeDeltas(from:to:)``: its two trees (either may be
/// absent), its path with a trailing `/`, and where the next entry of each starts.
private struct TreeDiffFrame {
    let old: TreeObject?
    let new: TreeObject?
    let prefix: [UInt8]
    var oldOffset = 0
    var newOffset = 0

    init(old: TreeObject?, new: TreeObject?, prefix: [UInt8]) {
        (self.old, self.new, self.prefix) = (old, new, prefix)
    }
}

/// A tree's id as a dictionary key, without making its hex text.
private struct TreeKey: Hashable {
    let head: UInt64, middle: UInt64, tail: UInt32

    init(_ id: UnsafePointer<UInt8>) {
        let raw = UnsafeRawPointer(id)
        head = raw.loadUnaligned(as: UInt64.self)
        middle = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        tail = raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self)
    }
}
