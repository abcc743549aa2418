import CShims
import Crypto
import Foundation

/// The blob store on a local file system: `blobs/ab/<64 hex>` (one level of 256 shards, as
/// git's and restic's object folders), read-only files.
///
/// Writes go to `blobs/tmp/` first. A batch's commit `syncfs`es the file system, renames
/// every staged file into place and syncs again, so a name under `blobs/ab/` only ever
/// holds complete, durable content. Downloads (LFS objects) grow in `blobs/partial/<hex>`
/// and are renamed into place only once checked against their id (``PartialBlob``), and one visit costs two syncs however many blobs it adds.
/// The 256 shard folders are made when the store is opened, so writing a blob never needs a
/// `mkdir` (file system metadata operations are what storing many small files costs).
public struct LocalBlobStore: BlobStore {
    public let root: URL

    public init(root: URL) throws {
        self.root = root
        for folder in [root, root.appendingPathComponent("tmp"), root.appendingPathComponent("partial")] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        for shard in 0..<256 {
            let folder = root.path + "/" + String(format: "%02x", shard)
            if mkdir(folder, 0o755) != 0 && errno != EEXIST {
                throw BlobStoreError.io(operation: "create", path: folder, errno: errno)
            }
        }
    }

    /// Where `id` lives.
    public func path(of id: ContentID) -> String {
        let hex = id.hex
        return root.path + "/\(hex.prefix(2))/\(hex)"
    }

    public func contains(_ id: ContentID) -> Bool {
        access(path(of: id), F_OK) == 0
    }

    public func size(of id: ContentID) -> Int64? {
        var info = stat()
        guard stat(path(of: id), &info) == 0 else { return nil }
        return Int64(info.st_size)
    }

    /// The bytes an unprivileged writer may still add to the file system holding the store
    /// (`statvfs`: available blocks times the fragment size).
    public func availableBytes() throws -> Int64 {
        var info = statvfs()
        guard statvfs(root.path, &info) == 0 else { throw BlobStoreError.io(operation: "statvfs", path: root.path, errno: errno) }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    public func get(_ id: ContentID) throws -> Data {
        let file = path(of: id)
        guard let data = FileManager.default.contents(atPath: file) else {
            if access(file, F_OK) != 0 { throw BlobStoreError.missing(id) }
            throw BlobStoreError.io(operation: "read", path: file, errno: errno)
        }
        let actual = ContentID.of(data)
        guard actual == id else { throw BlobStoreError.corrupt(id, actual: actual, path: file) }
        return data
    }

    public func batch() throws -> BlobBatch {
        LocalBlobBatch(store: self)
    }

    /// A batch that writes its blobs even where a file already holds the id: for repair, when
    /// that file is damaged. The commit's rename replaces the damaged file atomically, after the
    /// good content is durable, so the id never names a half-written file.
    public func replacingBatch() -> BlobBatch {
        LocalBlobBatch(store: self, replacing: true)
    }

    public func allIDs() throws -> [ContentID] {
        var ids: [ContentID] = []
        let fm = FileManager.default
        for shard in (try? fm.contentsOfDirectory(atPath: root.path)) ?? [] where shard.count == 2 {
            for name in (try? fm.contentsOfDirectory(atPath: root.path + "/" + shard)) ?? [] {
                if let id = ContentID(hex: name), id.hex.hasPrefix(shard) { ids.append(id) }
            }
        }
        return ids
    }

    /// Reads `id` in chunks of 1 MiB, passing each to `body`, and checks the whole against its
    /// hash at the end (throws ``BlobStoreError/corrupt(_:actual:path:)`` then): memory stays
    /// flat whatever the blob's size.
    public func read(_ id: ContentID, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let file = path(of: id)
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw BlobStoreError.missing(id) }
            throw BlobStoreError.io(operation: "open", path: file, errno: errno)
        }
        defer { close(fd) }
        var hasher = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw BlobStoreError.io(operation: "read", path: file, errno: errno)
            }
            if n == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            hasher.update(bufferPointer: chunk)
            try body(chunk)
        }
        let actual = ContentID(digest: hasher.finalize())
        guard actual == id else { throw BlobStoreError.corrupt(id, actual: actual, path: file) }
    }

    /// Re-hashes `id` without holding it in memory; throws when it is missing or damaged.
    public func check(_ id: ContentID) throws {
        try read(id) { _ in }
    }

    /// Makes sealed downloads durable, then visible under their ids: one `syncfs`, the
    /// renames, and one more `syncfs` for the whole group.
    public func publish(_ sealed: [PartialBlob]) throws {
        guard !sealed.isEmpty else { return }
        try syncFileSystem()
        for blob in sealed {
            let final = path(of: blob.id)
            guard rename(blob.path, final) == 0 else { throw BlobStoreError.io(operation: "rename into", path: final, errno: errno) }
        }
        try syncFileSystem()
    }

    /// Removes temporary files left by an interrupted batch (call when no batch is open).
    /// Partial downloads (`partial/`) are kept: the next download of the object resumes them.
    public func removeStaleTemporaries() {
        let tmp = root.appendingPathComponent("tmp").path
        for name in (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? [] {
            unlink(tmp + "/" + name)
        }
    }

    /// Removes partial downloads nobody waits for any more (their object is stored, or no
    /// package wants it: the policy changed, the package went away). Call when no download
    /// runs; `wanted` holds the hex ids still pending.
    @discardableResult
    public func removeUnwantedPartials(keeping wanted: Set<String>) -> Int {
        let folder = root.appendingPathComponent("partial").path
        var removed = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            guard let id = ContentID(hex: name) else { continue }
            if !wanted.contains(name) || contains(id) {
                if unlink(folder + "/" + name) == 0 { removed += 1 }
            }
        }
        return removed
    }

    func syncFileSystem() throws {
        let fd = open(root.path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw BlobStoreError.io(operation: "open", path: root.path, errno: errno) }
        defer { close(fd) }
        guard sediment_syncfs(fd) == 0 else { throw BlobStoreError.io(operation: "syncfs", path: root.path, errno: errno) }
    }
}

/// A batch of writes to a ``LocalBlobStore``.
///
/// (Writing staged files from several threads was measured and gained nothing: creating
/// files is serialised by the file system's journal, not by this loop.)
final class LocalBlobBatch: BlobBatch {
    let store: LocalBlobStore
    /// Writes blobs the store already names (their files are damaged) instead of skipping them.
    let replacing: Bool
    private var staged: [ContentID: String] = [:]
    private var counter = 0
    /// Temporary names are `<pid>-<batch nonce>-<counter>`: unique without a syscall per file.
    private let nonce = UInt64.random(in: 0...UInt64.max)

    init(store: LocalBlobStore, replacing: Bool = false) {
        self.store = store
        self.replacing = replacing
    }

    deinit {
        discard()
    }

    func put(_ bytes: UnsafeRawBufferPointer) throws -> ContentID {
        let id = ContentID.of(buffer: bytes)
        try put(bytes, id: id)
        return id
    }

    func put(_ bytes: UnsafeRawBufferPointer, id: ContentID) throws {
        // Stored already: the same name and the same size (a file of another size under the
        // name is damaged, and is replaced by this content at the commit).
        if staged[id] != nil || (!replacing && store.contains(id, size: Int64(bytes.count))) { return }
        counter += 1
        let temporary = store.root.path + "/tmp/\(getpid())-\(nonce)-\(counter)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
        guard fd >= 0 else { throw BlobStoreError.io(operation: "create", path: temporary, errno: errno) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                unlink(temporary)
                throw BlobStoreError.io(operation: "write", path: temporary, errno: code)
            }
            offset += n
        }
        staged[id] = temporary
    }

    func commit() throws {
        guard !staged.isEmpty else { return }
        try store.syncFileSystem()
        for (id, temporary) in staged {
            let final = store.path(of: id)
            guard rename(temporary, final) == 0 else {
                throw BlobStoreError.io(operation: "rename into", path: final, errno: errno)
            }
            staged[id] = nil
        }
        try store.syncFileSystem()
    }

    func discard() {
        for temporary in staged.values { unlink(temporary) }
        staged.removeAll()
    }
}
