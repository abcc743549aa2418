import CGit2
import Foundation

/// A bare git repository (a mirror), owning its libgit2 handle.
///
/// A `Repository` belongs to one thread at a time: libgit2 handles are not safe to share,
/// and libgit2's last error is per thread. Sediment opens one per visit, on the visit's
/// worker thread, and lets it go at the end of the visit.
public final class Repository {
    let handle: OpaquePointer
    /// The repository's folder.
    public let path: String

    private init(handle: OpaquePointer, path: String) {
        self.handle = handle
        self.path = path
    }

    deinit {
        git_repository_free(handle)
    }

    /// Opens the bare repository at `path`.
    public static func open(at path: String) throws -> Repository {
        GitRuntime.ensureInitialised()
        var out: OpaquePointer?
        let rc = git_repository_open_ext(&out, path, UInt32(GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue | GIT_REPOSITORY_OPEN_BARE.rawValue), nil)
        if rc < 0 {
            if let out { git_repository_free(out) }
            throw lastError(rc, "open repository", path)
        }
        return Repository(handle: out!, path: path)
    }

    /// Opens the bare repository at `path`, creating it (and its parent folders) when absent.
    ///
    /// Creation is atomic: the repository is initialised in a temporary folder beside `path`
    /// and renamed into place, so a process killed half-way never leaves a half-made
    /// repository under `path`. A folder at `path` without `HEAD` is such a leftover from an
    /// older crash (it holds nothing, since `HEAD` is written first) and is replaced.
    public static func openOrCreateBare(at path: String) throws -> Repository {
        GitRuntime.ensureInitialised()
        let fm = FileManager.default
        if fm.fileExists(atPath: path + "/HEAD") {
            return try open(at: path)
        }
        let parent = (path as NSString).deletingLastPathComponent
        try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let temporary = path + ".init-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        var out: OpaquePointer?
        let rc = git_repository_init(&out, temporary, 1)
        if rc < 0 {
            if let out { git_repository_free(out) }
            try? fm.removeItem(atPath: temporary)
            throw lastError(rc, "create mirror", path)
        }
        git_repository_free(out)
        if fm.fileExists(atPath: path) { try fm.removeItem(atPath: path) }
        guard rename(temporary, path) == 0 else {
            let code = errno
            try? fm.removeItem(atPath: temporary)
            throw GitError(resultCode: -1, errorClass: 2, message: String(cString: strerror(code)), operation: "create mirror", context: path)
        }
        return try open(at: path)
    }

    /// Removes the lock files a killed process left behind (`*.lock` under `refs/`, and
    /// `packed-refs.lock`, `config.lock`, `HEAD.lock`, `shallow.lock`). Call only while this
    /// process is the repository's only writer (Sediment holds its storage lock).
    public func removeStaleLocks() {
        let fm = FileManager.default
        for name in ["packed-refs.lock", "config.lock", "HEAD.lock", "shallow.lock", "FETCH_HEAD.lock"] {
            unlink(path + "/" + name)
        }
        guard let walker = fm.enumerator(atPath: path + "/refs") else { return }
        for case let relative as String in walker where relative.hasSuffix(".lock") {
            unlink(path + "/refs/" + relative)
        }
    }

    // MARK: References

    /// Every reference whose name starts with one of `prefixes` (all when empty), peeled to
    /// the object it points at directly (annotated tags keep their tag object id).
    public func references(prefixes: [String] = []) throws -> [String: ObjectID] {
        var iterator: OpaquePointer?
        try check(git_reference_iterator_new(&iterator, handle), "list references", path)
        defer { git_reference_iterator_free(iterator) }
        var result: [String: ObjectID] = [:]
        while true {
            var ref: OpaquePointer?
            let rc = git_reference_next(&ref, iterator)
            if rc == GIT_ITEROVER.rawValue { break }
            try check(rc, "list references", path)
            defer { git_reference_free(ref) }
            let name = String(cString: git_reference_name(ref))
            guard prefixes.isEmpty || prefixes.contains(where: { name.hasPrefix($0) }) else { continue }
            var resolved: OpaquePointer?
            guard git_reference_resolve(&resolved, ref) == 0, let resolved else { git_error_clear(); continue }
            defer { git_reference_free(resolved) }
            if let target = git_reference_target(resolved) {
                result[name] = ObjectID(target)
            }
        }
        return result
    }

    /// Creates or moves the direct reference `name` to `target`.
    public func setReference(_ name: String, to target: ObjectID, message: String) throws {
        var oid = target.raw
        var ref: OpaquePointer?
        try check(git_reference_create(&ref, handle, name, &oid, 1, message), "create reference \(name)", path)
        git_reference_free(ref)
    }

    /// Deletes the reference `name`; a missing reference is not an error.
    public func deleteReference(_ name: String) throws {
        var ref: OpaquePointer?
        let rc = git_reference_lookup(&ref, handle, name)
        if rc == GIT_ENOTFOUND.rawValue { git_error_clear(); return }
        try check(rc, "look up reference \(name)", path)
        defer { git_reference_free(ref) }
        try check(git_reference_delete(ref), "delete reference \(name)", path)
    }

    /// Points `HEAD` at the branch `name` (e.g. `refs/heads/main`).
    public func setHead(_ name: String) throws {
        try check(git_repository_set_head(handle, name), "set HEAD", path)
    }

    // MARK: Objects

    /// The commit `id` points at, peeling annotated tags; nil when it is not a commit.
    public func peelToCommit(_ id: ObjectID) -> ObjectID? {
        var oid = id.raw
        var object: OpaquePointer?
        guard git_object_lookup(&object, handle, &oid, GIT_OBJECT_ANY) == 0 else { git_error_clear(); return nil }
        defer { git_object_free(object) }
        var peeled: OpaquePointer?
        guard git_object_peel(&peeled, object, GIT_OBJECT_COMMIT) == 0 else { git_error_clear(); return nil }
        defer { git_object_free(peeled) }
        return ObjectID(git_object_id(peeled))
    }

    /// Whether `commit` is a descendant of `ancestor` (a fast-forward from `ancestor`).
    public func isDescendant(_ commit: ObjectID, of ancestor: ObjectID) -> Bool {
        var a = commit.raw, b = ancestor.raw
        let rc = git_graph_descendant_of(handle, &a, &b)
        if rc < 0 { git_error_clear() }
        return rc == 1
    }

    /// Whether the object database holds `id`.
    public func contains(_ id: ObjectID) -> Bool {
        var odb: OpaquePointer?
        guard git_repository_odb(&odb, handle) == 0 else { git_error_clear(); return false }
        defer { git_odb_free(odb) }
        var oid = id.raw
        return git_odb_exists(odb, &oid) == 1
    }

    /// The size in bytes of object `id`, read from its header without inflating its content.
    public func objectSize(_ id: ObjectID) throws -> Int {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, handle), "open the object database", path)
        defer { git_odb_free(odb) }
        var oid = id.raw
        var size = 0
        var type = GIT_OBJECT_ANY
        try check(git_odb_read_header(&size, &type, odb, &oid), "read the header of object \(id.hex)", path)
        return size
    }

    /// Calls `body` with the raw content of blob `id`. The buffer is valid only inside `body`.
    ///
    /// The blob is read as git reads objects (``RawObject``): not hashed again with SHA-1 on
    /// every read, which cost a first mirror a third of its manifest building; zlib's checksum
    /// guards what is inflated, and every content read is hashed with SHA-256 by the caller.
    public func withBlob<T>(_ id: ObjectID, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        var oid = id.raw
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, handle), "open the object database", path)
        defer { git_odb_free(odb) }
        let object = try RawObject(odb: odb!, id: &oid, operation: "read blob \(id.hex)", context: path)
        guard object.type == GIT_OBJECT_BLOB else {
            throw GitError(resultCode: -1, errorClass: 0, message: "\(id.hex) is not a blob", operation: "read blob \(id.hex)", context: path)
        }
        return try body(object.bytes)
    }
}

// A repository is not Sendable: a libgit2 repository handle must be used by one thread at a
// time, and libgit2's last error is per thread. Open one per thread instead.
@available(*, unavailable)
extension Repository: Sendable {}
