import CGit2
import Foundation

/// A git pack written by ``Repository/writePack(tips:hiding:into:)``.
public struct GitPack: Sendable {
    /// The pack's name as git gives it (the hex checksum of its content).
    public var name: String
    /// The `.pack` file (its `.idx` lies beside it).
    public var path: String
    /// Objects in the pack.
    public var objects: Int
}

extension Repository {
    /// Writes the objects reachable from `tips` and not from `hiding` as one git pack (with
    /// libgit2's packbuilder) into the folder `folder`; nil when there is no such object.
    ///
    /// The history walk gives the commits and their trees; annotated tags among `tips` are
    /// added as objects of their own, and a tag of a tree or a blob with what it names; a tip
    /// that is itself in `hiding` adds nothing. A tip in `hiding` the mirror does not hold is
    /// ignored. The pack is self-contained (not thin):
    /// ``indexPack(_:)`` indexes it in a repository that holds the packs written before it.
    public func writePack(tips: [ObjectID], hiding: [ObjectID], into folder: String) throws -> GitPack? {
        var builder: OpaquePointer?
        try check(git_packbuilder_new(&builder, handle), "start a pack", path)
        defer { git_packbuilder_free(builder) }
        var walk: OpaquePointer?
        try check(git_revwalk_new(&walk, handle), "walk history for a pack", path)
        defer { git_revwalk_free(walk) }
        var pushed = false
        let hidden = Set(hiding)
        // A tip among the hidden ones is old, with all it reaches (an annotated tag included).
        for tip in Set(tips).subtracting(hidden).sorted() {
            var oid = tip.raw
            var object: OpaquePointer?
            try check(git_object_lookup(&object, handle, &oid, GIT_OBJECT_ANY), "read tip \(tip.hex) for a pack", path)
            defer { git_object_free(object) }
            var current = object
            // Annotated tags (and tags of tags) are objects the walk does not give.
            while git_object_type(current) == GIT_OBJECT_TAG, !hidden.contains(ObjectID(git_object_id(current))) {
                try check(git_packbuilder_insert(builder, git_object_id(current), nil), "add tag \(tip.hex) to a pack", path)
                var target: OpaquePointer?
                try check(git_tag_target(&target, current), "read the target of tag \(tip.hex)", path)
                if current != object { git_object_free(current) }
                current = target
            }
            defer { if current != object { git_object_free(current) } }
            if git_object_type(current) == GIT_OBJECT_COMMIT {
                try check(git_revwalk_push(walk, git_object_id(current)), "walk history for a pack", path)
                pushed = true
            } else {
                try check(git_packbuilder_insert_recur(builder, git_object_id(current), nil), "add \(tip.hex) to a pack", path)
            }
        }
        if pushed {
            for old in Set(hiding).sorted() {
                var oid = old.raw
                if git_revwalk_hide(walk, &oid) < 0 { git_error_clear() }
            }
            try check(git_packbuilder_insert_walk(builder, walk), "gather the objects of a pack", path)
        }
        let count = git_packbuilder_object_count(builder)
        guard count > 0 else { return nil }
        // Deltas are searched on every core; the pack is streamed to its file as built, without
        // the index git_packbuilder_write would compute (resolving every delta again): the
        // store keeps packs only, and the indexer of whoever reads one makes its index.
        git_packbuilder_set_threads(builder, 0)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temporary = folder + "/pack-writing.pack"
        let sink = try PackSink(path: temporary)
        let code = git_packbuilder_foreach(builder, { bytes, size, payload in
            Unmanaged<PackSink>.fromOpaque(payload!).takeUnretainedValue().write(bytes, size)
        }, Unmanaged.passUnretained(sink).toOpaque())
        try sink.close()
        if let failure = sink.failure {
            throw GitError(resultCode: -1, message: String(cString: strerror(failure)), operation: "write a pack into", context: folder)
        }
        try check(code, "write a pack into", folder)
        // A pack ends with the SHA-1 of all its bytes before: git names the pack after it.
        let name = sink.tail.map { String(format: "%02x", $0) }.joined()
        let path = folder + "/pack-" + name + ".pack"
        guard sink.tail.count == 20, rename(temporary, path) == 0 else {
            throw GitError(resultCode: -1, message: "the pack written has no checksum", operation: "write a pack into", context: folder)
        }
        return GitPack(name: name, path: path, objects: count)
    }

    /// Indexes the git pack file at `packFile` into this repository's object database (with
    /// libgit2's indexer, which checks every object); returns the pack's name and object count.
    @discardableResult
    public func indexPack(_ packFile: String) throws -> (name: String, objects: Int) {
        var options = git_indexer_options()
        try check(git_indexer_options_init(&options, UInt32(GIT_INDEXER_OPTIONS_VERSION)), "index pack", packFile)
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, handle), "open the object database", path)
        defer { git_odb_free(odb) }
        var indexer: OpaquePointer?
        try check(git_indexer_new(&indexer, path + "/objects/pack", 0, odb, &options), "index pack", packFile)
        defer { git_indexer_free(indexer) }
        guard let input = FileHandle(forReadingAtPath: packFile) else {
            throw GitError(resultCode: -1, message: String(cString: strerror(errno)), operation: "index pack", context: packFile)
        }
        defer { try? input.close() }
        var stats = git_indexer_progress()
        while true {
            let chunk = input.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            _ = try chunk.withUnsafeBytes { bytes in
                try check(git_indexer_append(indexer, bytes.baseAddress, bytes.count, &stats), "index pack", packFile)
            }
        }
        try check(git_indexer_commit(indexer, &stats), "index pack", packFile)
        let name = git_indexer_name(indexer).map { String(cString: $0) } ?? ""
        return (name, Int(stats.indexed_objects))
    }

    /// Points `HEAD` at `name` even when that branch has no commit yet.
    public func setSymbolicHead(_ name: String) throws {
        var ref: OpaquePointer?
        try check(git_reference_symbolic_create(&ref, handle, "HEAD", name, 1, "sediment: rebuilt"), "set HEAD", path)
        git_reference_free(ref)
    }
}

/// Where ``Repository/writePack(tips:hiding:into:)`` streams a pack: a file, and the last 20
/// bytes seen (the pack's checksum, once all is written).
private final class PackSink {
    let fd: Int32
    var tail: [UInt8] = []
    var failure: Int32?

    init(path: String) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw GitError(resultCode: -1, message: String(cString: strerror(errno)), operation: "create", context: path)
        }
    }

    /// libgit2's callback: 0 to go on, -1 to stop (the error is kept).
    func write(_ bytes: UnsafeMutableRawPointer?, _ size: Int) -> Int32 {
        guard let bytes, size > 0 else { return 0 }
        var offset = 0
        while offset < size {
            let n = Glibc.write(fd, bytes + offset, size - offset)
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
                return -1
            }
            offset += n
        }
        let buffer = UnsafeRawBufferPointer(start: bytes, count: size)
        tail = Array((tail + buffer.suffix(20)).suffix(20))
        return 0
    }

    /// Closes the file (not synced: the store makes its copy durable).
    func close() throws {
        Glibc.close(fd)
    }
}
