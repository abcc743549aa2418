import Crypto
import Foundation

/// A blob being downloaded, whose id (SHA-256) and size are known in advance: a Git LFS
/// object. It grows in `blobs/partial/<hex>`, outside the store's names, while its hash is
/// computed on the fly; ``complete()`` checks length and hash and publishes it through its
/// store (for a ``PackStore``: into a pack when it is small, as `blobs/ab/<hex>` otherwise). Content that
/// does not match is deleted, never stored.
///
/// The partial file outlives the process (a crash, a kill, a dropped connection): opening it
/// again re-hashes what it holds (reading in 1 MiB chunks) so the download resumes at
/// ``length`` with an HTTP `Range` request. Memory stays flat whatever the object's size.
///
/// One writer per id at a time (the archive's lock keeps other processes out; callers keep
/// other threads out). Not thread-safe.
public final class PartialBlob: ResumableWrite {
    public let id: ContentID
    public let expectedSize: Int64
    /// The local file the object grows in.
    public let path: String
    /// Makes the sealed object durable and visible (its store's ``BlobStore/publish(_:)``).
    private let publishing: (PartialBlob) throws -> Void
    private var fd: Int32
    private var hasher = SHA256()
    /// Bytes held so far.
    public private(set) var length: Int64 = 0

    /// Opens (creating, or resuming) the partial download of `id`.
    public convenience init(store: PackStore, id: ContentID, expectedSize: Int64) throws {
        try self.init(folder: store.root.path + "/partial", id: id, expectedSize: expectedSize) { try store.publish([$0]) }
    }

    /// Opens (creating, or resuming) the partial download of `id` as `<folder>/<hex>`, for a
    /// store whose ``BlobStore/publish(_:)`` is `publish`.
    public init(folder: String, id: ContentID, expectedSize: Int64, publish: @escaping (PartialBlob) throws -> Void) throws {
        self.id = id
        self.expectedSize = expectedSize
        publishing = publish
        path = folder + "/" + id.hex
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 && errno == EACCES {
            // A sealed (read-only) file an interrupted run left: writable again to resume.
            _ = chmod(path, 0o644)
            fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { throw BlobStoreError.io(operation: "open", path: path, errno: errno) }
        do {
            try rehash()
        } catch {
            close(fd)
            throw error
        }
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Reads what an earlier attempt left, to resume its hash; more than the object's size
    /// cannot be right and starts over.
    private func rehash() throws {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw BlobStoreError.io(operation: "stat", path: path, errno: errno) }
        if Int64(info.st_size) > expectedSize {
            try restart()
            return
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var offset: Int64 = 0
        while true {
            let n = pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
            if n < 0 {
                if errno == EINTR { continue }
                throw BlobStoreError.io(operation: "read", path: path, errno: errno)
            }
            if n == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            offset += Int64(n)
        }
        length = offset
        guard lseek(fd, off_t(offset), SEEK_SET) >= 0 else { throw BlobStoreError.io(operation: "seek", path: path, errno: errno) }
    }

    /// Appends the next bytes of the object. More bytes than the announced size is an error
    /// (the partial file is then discarded).
    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard length + Int64(bytes.count) <= expectedSize else {
            let total = length + Int64(bytes.count)
            discard()
            throw BlobStoreError.wrongSize(id, expected: expectedSize, actual: total)
        }
        try FileWriting.write(fd, bytes, path: path)
        hasher.update(bufferPointer: bytes)
        length += Int64(bytes.count)
    }

    /// Drops what was received, to receive the object again from its first byte.
    public func restart() throws {
        guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else {
            throw BlobStoreError.io(operation: "truncate", path: path, errno: errno)
        }
        hasher = SHA256()
        length = 0
    }

    /// Whether every announced byte was received.
    public var isFull: Bool { length == expectedSize }

    /// Checks size and hash: on a mismatch deletes the partial file and throws.
    private func check() throws {
        guard length == expectedSize else {
            let actual = length
            discard()
            throw BlobStoreError.wrongSize(id, expected: expectedSize, actual: actual)
        }
        let actual = ContentID(digest: hasher.finalize())
        guard actual == id else {
            discard()
            throw BlobStoreError.mismatch(id, actual: actual, bytes: length)
        }
    }

    /// Checks size and hash (a mismatch deletes it and throws) and closes the file, which
    /// stays in `partial/` until ``PackStore/publish(_:)`` makes a group of sealed
    /// blobs durable and visible together: small objects then cost one sync per group, not
    /// two each. (A sealed file left by a crash is complete: reopened, it is ``isFull``.)
    public func seal() throws {
        try check()
        _ = fchmod(fd, 0o444)
        close(fd)
        fd = -1
    }

    /// Checks size and hash; on a match makes the content durable and stores it under its
    /// id (a no-op when the store has it already), on a mismatch deletes it and throws.
    public func complete() throws {
        try seal()
        try publishing(self)
    }

    /// Deletes the partial file.
    public func discard() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        unlink(path)
    }
}

extension PartialBlob {
    /// Removes the partial files in `folder` of objects nobody waits for any more (`isStored`
    /// says they are stored, or `wanted`, the hex ids still pending, does not name them);
    /// returns how many.
    public static func removeUnwanted(in folder: String, keeping wanted: Set<String>, isStored: (ContentID) -> Bool) -> Int {
        var removed = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            guard let id = ContentID(hex: name) else { continue }
            if !wanted.contains(name) || isStored(id) {
                if unlink(folder + "/" + name) == 0 { removed += 1 }
            }
        }
        return removed
    }
}

// A partial blob is not Sendable: its file descriptor, offset and running hash belong to the
// one thread that writes it.
@available(*, unavailable)
extension PartialBlob: Sendable {}
