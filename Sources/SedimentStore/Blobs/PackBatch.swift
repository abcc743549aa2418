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

/// A pack or a large object a ``PackBatch`` wrote in its target's work folder, complete,
/// waiting to be placed.
public struct StagedFile: Sendable {
    /// The local file.
    public let path: String
    /// The pack's id (its name), or the object's.
    public let id: ContentID
    /// What the pack holds (nil for a large object).
    public let record: PackRecord?
}

/// Where a ``PackBatch`` puts what it wrote: a local folder (``PackStore``), a bucket. The
/// batch builds packs and large objects as local files in ``workFolder``; the target makes
/// them durable in their final place, and the batch then indexes the packs.
public protocol PackBatchTarget: Sendable {
    var index: any PackIndex { get }
    var options: PackStore.Options { get }
    /// The local folder where packs and large objects are written before they are placed.
    var workFolder: String { get }
    /// Whether the store holds `id` with `size` bytes already (a batch then skips it); the
    /// answer must not cost a request per small blob (the index answers).
    func holds(_ id: ContentID, size: Int64) -> Bool
    /// Makes `packs` and `objects` durable under their ids (the packs not yet indexed); the
    /// local files are gone afterwards (moved or uploaded, then removed).
    func place(packs: [StagedFile], objects: [StagedFile]) throws
}

/// A batch of writes to a pack store: small blobs into packs (built locally by a
/// ``PackPipeline``), large ones into files of their own, placed together by the
/// ``PackBatchTarget`` (for a local store: one `syncfs`, renamed into place, synced again),
/// then indexed.
public final class PackBatch: BlobBatch {
    let target: any PackBatchTarget
    /// Writes blobs the store already names (their stored copy is damaged) instead of skipping
    /// them; the index then points at the new copy.
    let replacing: Bool
    /// Small blobs, packed on a thread of their own.
    private let packing: PackPipeline
    /// Large objects: local file → id.
    private var objects: [(path: String, id: ContentID, owned: Bool)] = []
    private var staged = Set<ContentID>()
    private var counter = 0
    /// Temporary names are `<pid>-<batch nonce>-<counter>`: unique without a syscall per file.
    private let nonce = UInt64.random(in: 0...UInt64.max)

    public init(target: any PackBatchTarget, replacing: Bool) {
        self.target = target
        self.replacing = replacing
        packing = PackPipeline(folder: target.workFolder, name: "\(getpid())-\(nonce)", packSize: target.options.packSize,
                               level: target.options.level)
    }

    deinit {
        discard()
    }

    private func temporaryName() -> String {
        counter += 1
        return "\(getpid())-\(nonce)-\(counter)"
    }

    public func put(_ bytes: UnsafeRawBufferPointer, id: ContentID, kind: BlobKind) throws {
        // Stored already: the same id and the same size.
        if !replacing && !staged.contains(id) && target.holds(id, size: Int64(bytes.count)) { return }
        try putUnseen(bytes, id: id, kind: kind)
    }

    /// (The store's lookup, a catalog query, was a third of a first mirror's manifest building.)
    public func putUnseen(_ bytes: UnsafeRawBufferPointer, id: ContentID, kind: BlobKind) throws {
        if staged.contains(id) { return }
        if Int64(bytes.count) >= target.options.threshold {
            let path = target.workFolder + "/" + temporaryName()
            try FileWriting.create(path, with: bytes)
            objects.append((path, id, true))
        } else {
            packing.add(bytes, id: id, kind: kind)
        }
        staged.insert(id)
    }

    /// Publishes `file` (complete content hashing to `id`, written elsewhere) as the object `id`;
    /// the file is moved (or removed once uploaded).
    public func adopt(file: String, id: ContentID) {
        objects.append((file, id, false))
        staged.insert(id)
    }

    public func commit() throws {
        _ = try commitReturningPacks()
    }

    public func commitDeferringIndex() throws -> [PackRecord] {
        try commitReturningPacks(indexing: false)
    }

    /// Commits, returning the packs written; indexes them unless told not to.
    public func commitReturningPacks(indexing: Bool = true) throws -> [PackRecord] {
        let finished = try packing.finish()
        guard !finished.isEmpty || !objects.isEmpty else { return [] }
        let packs = finished.map { StagedFile(path: $0.path, id: $0.record.id, record: $0.record) }
        do {
            try target.place(packs: packs, objects: objects.map { StagedFile(path: $0.path, id: $0.id, record: nil) })
        } catch {
            for pack in packs { unlink(pack.path) }
            throw error
        }
        objects.removeAll()
        let records = finished.map(\.record)
        staged.removeAll()
        if indexing { try target.index.add(records, superseding: replacing) }
        return records
    }

    public func discard() {
        packing.discard()
        for object in objects where object.owned { unlink(object.path) }
        objects.removeAll()
        staged.removeAll()
    }
}

extension PackBatchTarget {
    /// Publishes sealed ``PartialBlob``s: those below the threshold go into a pack (their
    /// partial files removed once it is placed and indexed); larger ones are placed as objects
    /// of their own (moved, or uploaded then removed). What is published was just checked
    /// against its id, so it supersedes any stored copy (a repair downloads again what is
    /// damaged).
    public func publishPartials(_ sealed: [any ResumableWrite]) throws {
        let partials = sealed.compactMap { $0 as? PartialBlob }
        guard !partials.isEmpty else { return }
        let batch = PackBatch(target: self, replacing: true)
        var packed: [String] = []
        for partial in partials {
            if partial.expectedSize < options.threshold {
                guard let data = FileManager.default.contents(atPath: partial.path) else {
                    throw BlobStoreError.io(operation: "read", path: partial.path, errno: errno)
                }
                try data.withUnsafeBytes { try batch.put($0, id: partial.id, kind: .content) }
                packed.append(partial.path)
            } else {
                batch.adopt(file: partial.path, id: partial.id)
            }
        }
        try batch.commit()
        for path in packed { unlink(path) }
    }
}

extension PackStore: PackBatchTarget {
    public var workFolder: String { root.path + "/tmp" }

    public func holds(_ id: ContentID, size: Int64) -> Bool {
        contains(id, size: size)
    }

    /// One `syncfs` makes every file durable; they are renamed into place, and a second
    /// `syncfs` makes the renames durable.
    public func place(packs: [StagedFile], objects: [StagedFile]) throws {
        try loose.syncFileSystem()
        for pack in packs {
            let final = packPath(pack.id)
            guard rename(pack.path, final) == 0 else { throw BlobStoreError.io(operation: "rename into", path: final, errno: errno) }
        }
        for object in objects {
            let final = loose.path(of: object.id)
            guard rename(object.path, final) == 0 else { throw BlobStoreError.io(operation: "rename into", path: final, errno: errno) }
        }
        try loose.syncFileSystem()
    }
}
