import CShims
import Crypto
import Foundation

/// The files of a local blob store that are not packs: large objects (and every blob of an
/// archive written before packs) as `blobs/ab/<64 hex>` (one level of 256 shards, as git's
/// and restic's object folders), read-only files; temporaries in `blobs/tmp/`; resumable
/// downloads in `blobs/partial/<hex>`. The 256 shard folders are made when the store is
/// opened, so writing an object never needs a `mkdir`.
public struct LooseObjects: Sendable {
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

    /// Where the loose object `id` lives.
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

    /// Every loose object with its size.
    public func list(_ body: (ContentID, Int64) throws -> Void) throws {
        let fm = FileManager.default
        for shard in (try? fm.contentsOfDirectory(atPath: root.path)) ?? [] where shard.count == 2 {
            for name in (try? fm.contentsOfDirectory(atPath: root.path + "/" + shard)) ?? [] {
                if let id = ContentID(hex: name), id.hex.hasPrefix(shard), let size = size(of: id) { try body(id, size) }
            }
        }
    }

    /// Streams the loose object `id` in chunks of 1 MiB, the bytes of `range` to `body`, and
    /// checks the whole against its hash at the end: memory stays flat whatever its size.
    public func read(_ id: ContentID, range: Range<Int64>?, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let file = path(of: id)
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw BlobStoreError.missing(id) }
            throw BlobStoreError.io(operation: "open", path: file, errno: errno)
        }
        defer { close(fd) }
        var stream = VerifiedStream(id, range: range)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw BlobStoreError.io(operation: "read", path: file, errno: errno)
            }
            if n == 0 { break }
            try stream.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), to: body)
        }
        try stream.finish(path: file)
    }

    /// Writes `bytes` into a new temporary file (read-only), returning its path.
    func writeTemporary(_ bytes: UnsafeRawBufferPointer, name: String) throws -> String {
        let temporary = root.path + "/tmp/" + name
        try FileWriting.create(temporary, with: bytes)
        return temporary
    }

    /// Removes temporary files left by an interrupted batch (call when no batch is open).
    /// Partial downloads (`partial/`) are kept: the next download of the object resumes them.
    public func removeStaleTemporaries() {
        FileWriting.removeFiles(in: root.appendingPathComponent("tmp").path)
    }

    /// `syncfs` of the file system holding the store: every write before it is durable after it.
    func syncFileSystem() throws {
        let fd = open(root.path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw BlobStoreError.io(operation: "open", path: root.path, errno: errno) }
        defer { close(fd) }
        guard sediment_syncfs(fd) == 0 else { throw BlobStoreError.io(operation: "syncfs", path: root.path, errno: errno) }
    }
}

/// Writing whole buffers to file descriptors, through `EINTR` and short writes; clearing a
/// folder of temporaries.
public enum FileWriting {
    /// Removes every file in `folder` (the temporaries an interrupted batch left).
    public static func removeFiles(in folder: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            unlink(folder + "/" + name)
        }
    }

    /// Creates the new file `path` (read-only) holding `bytes`; nothing is left on failure.
    static func create(_ path: String, with bytes: UnsafeRawBufferPointer) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
        guard fd >= 0 else { throw BlobStoreError.io(operation: "create", path: path, errno: errno) }
        defer { close(fd) }
        do {
            try write(fd, bytes, path: path)
        } catch {
            unlink(path)
            throw error
        }
    }

    /// Writes all of `bytes` to `fd`; errors name `path`.
    public static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw BlobStoreError.io(operation: "write", path: path, errno: errno)
            }
            offset += n
        }
    }
}

/// Content read in chunks, hashed whole, of which the bytes of `range` (all when nil) are
/// delivered as they pass; ``finish(path:)`` then checks the hash against the id. How a large
/// object is read from any store: memory stays flat whatever its size.
public struct VerifiedStream {
    public let id: ContentID
    public let range: Range<Int64>?
    private var hasher = SHA256()
    /// Bytes fed so far.
    public private(set) var position: Int64 = 0

    public init(_ id: ContentID, range: Range<Int64>?) {
        self.id = id
        self.range = range
    }

    /// Hashes the next chunk and gives `body` the part of it inside the range.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, to body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        hasher.update(bufferPointer: chunk)
        let count = Int64(chunk.count)
        if let range {
            let lower = max(range.lowerBound, position), upper = min(range.upperBound, position + count)
            if lower < upper { try body(UnsafeRawBufferPointer(rebasing: chunk[Int(lower - position)..<Int(upper - position)])) }
        } else if count > 0 {
            try body(chunk)
        }
        position += count
    }

    /// Throws ``BlobStoreError/corrupt(_:actual:path:)`` (naming `path`) unless what was fed
    /// hashes to the id.
    public func finish(path: String) throws {
        let actual = ContentID(digest: hasher.finalize())
        guard actual == id else { throw BlobStoreError.corrupt(id, actual: actual, path: path) }
    }
}
