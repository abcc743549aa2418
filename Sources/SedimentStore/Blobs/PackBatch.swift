import Crypto
import Foundation

/// A pack being written in `blobs/tmp/`: the header, then each blob's stored bytes, hashed as
/// they are written (the pack's name is the SHA-256 of the whole file); ``finish()`` appends
/// the trailer and footer.
final class PackWriter {
    let path: String
    private let fd: Int32
    private var hasher = SHA256()
    private(set) var entries: [PackEntry] = []
    /// Bytes written so far (the next blob's offset).
    private(set) var offset: Int64 = 0
    /// Writes go through this buffer: one `write` per MiB, not per blob.
    private var pending: [UInt8] = []

    init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
        guard fd >= 0 else { throw BlobStoreError.io(operation: "create", path: path, errno: errno) }
        pending.reserveCapacity(1 << 20)
        try PackFormat.header().withUnsafeBytes { try append($0) }
    }

    deinit {
        close(fd)
    }

    private func append(_ bytes: UnsafeRawBufferPointer) throws {
        hasher.update(bufferPointer: bytes)
        offset += Int64(bytes.count)
        pending.append(contentsOf: bytes)
        if pending.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        try pending.withUnsafeBytes { try FileWriting.write(fd, $0, path: path) }
        pending.removeAll(keepingCapacity: true)
    }

    /// Appends one blob: compressed by `compressor` when that saves space, else raw.
    func add(_ bytes: UnsafeRawBufferPointer, id: ContentID, kind: BlobKind, compressor: ZstdCompressor) throws {
        let start = offset
        var compression = BlobCompression.none
        if try compressor.compress(bytes, { try append($0) }) {
            compression = .zstd
        } else {
            try append(bytes)
        }
        entries.append(PackEntry(id: id, kind: kind, compression: compression, offset: start, length: offset - start, size: Int64(bytes.count)))
    }

    /// Writes the trailer and footer and closes the file: what the pack is, for the index.
    func finish() throws -> PackRecord {
        let trailer = PackFormat.trailer(entries, at: offset)
        try trailer.withUnsafeBytes { try append($0) }
        try flush()
        return PackRecord(id: ContentID(digest: hasher.finalize()), bytes: offset, entries: entries)
    }
}

/// A batch of writes to a ``PackStore``: small blobs into packs, large ones into files of
/// their own, all made durable by one `syncfs`, renamed into place, synced again, then indexed.
final class PackBatch: BlobBatch {
    let store: PackStore
    /// Writes blobs the store already names (their stored copy is damaged) instead of skipping
    /// them; the index then points at the new copy.
    let replacing: Bool
    /// Small blobs, packed on a thread of their own.
    private let packing: PackPipeline
    /// Large objects: temporary file → id.
    private var objects: [(path: String, id: ContentID, owned: Bool)] = []
    private var staged = Set<ContentID>()
    private var counter = 0
    /// Temporary names are `<pid>-<batch nonce>-<counter>`: unique without a syscall per file.
    private let nonce = UInt64.random(in: 0...UInt64.max)

    init(store: PackStore, replacing: Bool) {
        self.store = store
        self.replacing = replacing
        packing = PackPipeline(folder: store.root.path + "/tmp", name: "\(getpid())-\(nonce)", packSize: store.options.packSize,
                               level: store.options.level)
    }

    deinit {
        discard()
    }

    private func temporaryName() -> String {
        counter += 1
        return "\(getpid())-\(nonce)-\(counter)"
    }

    func put(_ bytes: UnsafeRawBufferPointer, id: ContentID, kind: BlobKind) throws {
        // Stored already: the same id and the same size.
        if !replacing && !staged.contains(id) && store.contains(id, size: Int64(bytes.count)) { return }
        try putUnseen(bytes, id: id, kind: kind)
    }

    /// (The store's lookup, a catalog query, was a third of a first mirror's manifest building.)
    func putUnseen(_ bytes: UnsafeRawBufferPointer, id: ContentID, kind: BlobKind) throws {
        if staged.contains(id) { return }
        if Int64(bytes.count) >= store.options.threshold {
            let path = try store.loose.writeTemporary(bytes, name: temporaryName())
            objects.append((path, id, true))
        } else {
            packing.add(bytes, id: id, kind: kind)
        }
        staged.insert(id)
    }

    /// Publishes `file` (complete content hashing to `id`, written elsewhere) as the object `id`.
    func adopt(file: String, id: ContentID) {
        objects.append((file, id, false))
        staged.insert(id)
    }

    func commit() throws {
        _ = try commitReturningPacks()
    }

    func commitDeferringIndex() throws -> [PackRecord] {
        try commitReturningPacks(indexing: false)
    }

    /// Commits, returning the packs written; indexes them unless told not to.
    func commitReturningPacks(indexing: Bool = true) throws -> [PackRecord] {
        let finished = try packing.finish()
        guard !finished.isEmpty || !objects.isEmpty else { return [] }
        try store.loose.syncFileSystem()
        for pack in finished {
            let final = store.packPath(pack.record.id)
            guard rename(pack.path, final) == 0 else { throw BlobStoreError.io(operation: "rename into", path: final, errno: errno) }
        }
        for object in objects {
            let final = store.loose.path(of: object.id)
            guard rename(object.path, final) == 0 else { throw BlobStoreError.io(operation: "rename into", path: final, errno: errno) }
        }
        objects.removeAll()
        try store.loose.syncFileSystem()
        let records = finished.map(\.record)
        staged.removeAll()
        if indexing { try store.index.add(records, superseding: replacing) }
        return records
    }

    func discard() {
        packing.discard()
        for object in objects where object.owned { unlink(object.path) }
        objects.removeAll()
        staged.removeAll()
    }
}
