import CGit2
import Foundation

/// An object's content read as git reads it, straight from the pack or loose backend that
/// holds it: libgit2's `git_odb_read` also hashes the whole content on every read (strict
/// hash verification), which cost the history walk more than the diff itself. Objects
/// arrive verified when fetched; zlib's checksum still guards every inflated object.
/// Freed with the last reference.
final class RawObject {
    private let backend: UnsafeMutablePointer<git_odb_backend>?
    private let odbObject: OpaquePointer?
    let bytes: UnsafeRawBufferPointer
    let type: git_object_t

    /// Reads object `id`, failing when it is missing.
    init(odb: OpaquePointer, id: UnsafePointer<git_oid>, operation: @autoclosure () -> String, context: String) throws {
        var data: UnsafeMutableRawPointer?
        var length = 0
        var type = GIT_OBJECT_ANY
        var from: UnsafeMutablePointer<git_odb_backend>?
        let rc = sediment_git_odb_read_unverified(&data, &length, &type, &from, odb, id)
        if rc == 0, let from {
            (backend, odbObject, self.type) = (from, nil, type)
            bytes = UnsafeRawBufferPointer(start: data, count: length)
            return
        }
        // Not in the backends as last scanned (a pack written since): libgit2's own read refreshes them.
        git_error_clear()
        var object: OpaquePointer?
        try check(git_odb_read(&object, odb, id), operation(), context)
        (backend, odbObject, self.type) = (nil, object, git_odb_object_type(object))
        bytes = UnsafeRawBufferPointer(start: git_odb_object_data(object), count: git_odb_object_size(object))
    }

    deinit {
        if let odbObject { git_odb_object_free(odbObject) }
        if let backend { git_odb_backend_data_free(backend, UnsafeMutableRawPointer(mutating: bytes.baseAddress)) }
    }
}

/// A tree object's bytes as git stores them (`MODE NAME\0` and a 20-byte id per entry),
/// walked in place: the tree diff parses names and ids straight from the buffer instead of
/// through libgit2's per-entry calls.
final class TreeObject {
    private let object: RawObject
    var bytes: UnsafeRawBufferPointer { object.bytes }
    /// The repository's path, for errors.
    private let context: String

    /// Reads tree `id`; fails when the object is missing or is not a tree.
    init(odb: OpaquePointer, id: UnsafePointer<UInt8>, repository: Repository, path: [UInt8]) throws {
        let object = try id.withMemoryRebound(to: git_oid.self, capacity: 1) {
            try RawObject(odb: odb, id: $0, operation: "read tree \(GitPath.text(path))", context: repository.path)
        }
        guard object.type == GIT_OBJECT_TREE else {
            throw GitError(resultCode: -1, errorClass: 0, message: "\(ObjectID(UnsafeRawPointer(id).loadUnaligned(as: git_oid.self)).hex) is not a tree",
                           operation: "read tree \(GitPath.text(path))", context: repository.path)
        }
        self.object = object
        context = repository.path
    }

    /// The entry starting at byte `offset`, or nil at the end. A malformed entry (a mode
    /// that is not octal digits, a name without its end, a cut id) fails.
    func entry(at offset: Int) throws -> RawTreeEntry? {
        let count = bytes.count
        guard offset < count else { return nil }
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var index = offset
        var mode: UInt32 = 0
        while index < count, base[index] != 0x20 {
            let digit = base[index] &- 0x30
            guard digit < 8, mode < 0o1000000 else { throw malformed(offset) }
            mode = mode << 3 | UInt32(digit)
            index += 1
        }
        guard index > offset, index < count else { throw malformed(offset) }
        let nameStart = index + 1
        guard let nul = memchr(base + nameStart, 0, count - nameStart) else { throw malformed(offset) }
        let nameEnd = UnsafePointer<UInt8>(nul.assumingMemoryBound(to: UInt8.self)) - base
        guard nameEnd > nameStart, nameEnd + 21 <= count else { throw malformed(offset) }
        return RawTreeEntry(mode: RawTreeEntry.canonical(mode), name: UnsafeBufferPointer(start: base + nameStart, count: nameEnd - nameStart),
                            id: base + nameEnd + 1, next: nameEnd + 21)
    }

    private func malformed(_ offset: Int) -> GitError {
        GitError(resultCode: -1, errorClass: 0, message: "malformed tree entry at byte \(offset)", operation: "read tree", context: context)
    }
}

/// One entry of a ``TreeObject``: pointers into its buffer, valid while the tree lives.
struct RawTreeEntry {
    /// The mode as git reads it (`canon_mode`): 040000, 0100644, 0100755, 0120000 or 0160000.
    let mode: UInt32
    let name: UnsafeBufferPointer<UInt8>
    /// The 20 bytes of the entry's object id.
    let id: UnsafePointer<UInt8>
    /// Where the next entry starts.
    let next: Int

    var isFolder: Bool { mode == 0o040000 }

    /// git's `canon_mode`: any regular file is 0644 or 0755, and anything that is not a
    /// file, symlink or folder is a submodule link.
    static func canonical(_ mode: UInt32) -> UInt32 {
        switch mode & 0o170000 {
        case 0o100000: return mode & 0o100 != 0 ? 0o100755 : 0o100644
        case 0o120000: return 0o120000
        case 0o040000: return 0o040000
        default: return 0o160000
        }
    }

    /// git's `base_name_compare`: bytes first, and a folder's name compares as if it ended in `/`.
    static func order(_ a: RawTreeEntry, _ b: RawTreeEntry) -> Int32 {
        let common = min(a.name.count, b.name.count)
        let bytes = memcmp(a.name.baseAddress!, b.name.baseAddress!, common)
        if bytes != 0 { return bytes }
        let tailA: UInt8 = a.name.count > common ? a.name[common] : a.isFolder ? 0x2F : 0
        let tailB: UInt8 = b.name.count > common ? b.name[common] : b.isFolder ? 0x2F : 0
        return tailA < tailB ? -1 : tailA > tailB ? 1 : 0
    }

    func sameObject(as other: RawTreeEntry) -> Bool { memcmp(id, other.id, 20) == 0 }

    var objectID: ObjectID { ObjectID(UnsafeRawPointer(id).loadUnaligned(as: git_oid.self)) }
}
