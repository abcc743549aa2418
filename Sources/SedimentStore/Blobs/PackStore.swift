import Foundation

/// The blob store on a local file system, in packs (`docs/format.md`).
///
/// Blobs below ``Options/threshold`` (file contents, manifests, small LFS objects) are
/// appended to pack files of about ``Options/packSize``, each compressed with zstd when that
/// saves space; a pack is immutable and named by its own SHA-256 (`blobs/packs/ab/<hex>.pack`),
/// and its trailer lists its blobs, so the ``PackIndex`` (in the catalog) can always be rebuilt
/// from the packs alone. Larger objects stay files of their own (``LooseObjects``), as every
/// blob of an archive written before packs does: those are read as before.
///
/// Write order, as restic's: a batch's packs and objects are made durable (`syncfs`), renamed
/// into place, synced again, and only then indexed. A crash leaves at most a pack nobody
/// indexed (``unindexedPacks()``; `sediment rebuild-index` adopts it) or temporaries.
public struct PackStore: BlobStore {
    public struct Options: Sendable {
        /// Blobs of at least this many bytes are stored as objects of their own.
        public var threshold: Int64
        /// A pack is closed once it holds this many bytes.
        public var packSize: Int64
        /// zstd's compression level.
        public var level: Int32

        public init(threshold: Int64 = 4 << 20, packSize: Int64 = 32 << 20, level: Int32 = 3) {
            self.threshold = threshold
            self.packSize = packSize
            self.level = level
        }
    }

    public let root: URL
    public let loose: LooseObjects
    public let index: any PackIndex
    public let options: Options

    public init(root: URL, index: any PackIndex, options: Options = Options()) throws {
        self.root = root
        self.index = index
        self.options = options
        loose = try LooseObjects(root: root)
        let packs = root.path + "/packs"
        for folder in [packs] + (0..<256).map({ packs + "/" + String(format: "%02x", $0) }) {
            // A store opened only to read (a copy on a read-only mount, written before packs)
            // has nothing to put there; a writer's rename into it then says what is missing.
            if mkdir(folder, 0o755) != 0 && ![EEXIST, EROFS, EACCES].contains(errno) {
                throw BlobStoreError.io(operation: "create", path: folder, errno: errno)
            }
        }
    }

    /// `store`, its index overlaid with `packs` (durable, not indexed yet).
    init(_ store: PackStore, alsoIndexing packs: [PackRecord]) {
        let pending = MemoryPackIndex()
        try? pending.add(packs)
        root = store.root
        loose = store.loose
        options = store.options
        index = OverlayPackIndex(base: store.index, pending: pending)
    }

    /// Where the pack `id` lives.
    public func packPath(_ id: ContentID) -> String {
        root.path + "/packs/\(id.hex.prefix(2))/\(id.hex).pack"
    }

    public func contains(_ id: ContentID) -> Bool {
        ((try? index.locate([id]))?[id] != nil) || loose.contains(id)
    }

    public func present(_ ids: [ContentID]) throws -> Set<ContentID> {
        var found = Set(try index.locate(ids).keys)
        for id in ids where !found.contains(id) && loose.contains(id) { found.insert(id) }
        return found
    }

    public func size(of id: ContentID) -> Int64? {
        if let location = (try? index.locate([id]))?[id] { return location.entry.size }
        return loose.size(of: id)
    }

    public func read(_ id: ContentID, range: Range<Int64>?, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        if let location = try index.locate([id])[id] {
            let bytes = try readPacked(location)
            try bytes.withUnsafeBytes { try deliver($0, range: range, to: body) }
            return
        }
        try loose.read(id, range: range, body)
    }

    /// The content of a packed blob, decompressed and checked against its id.
    func readPacked(_ location: PackLocation) throws -> [UInt8] {
        let path = packPath(location.pack)
        let entry = location.entry
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw BlobStoreError.missing(entry.id) }
            throw BlobStoreError.io(operation: "open", path: path, errno: errno)
        }
        defer { close(fd) }
        let stored = try Self.pread(fd, count: Int(entry.length), at: entry.offset, path: path)
        return try Self.decode(stored, entry: entry, path: path)
    }

    /// A blob's stored bytes decompressed and checked against its id.
    static func decode(_ stored: [UInt8], entry: PackEntry, path: String) throws -> [UInt8] {
        var content = stored
        if entry.compression == .zstd {
            do {
                content = try stored.withUnsafeBytes { try Zstd.decompress($0, size: Int(entry.size)) }
            } catch {
                throw BlobStoreError.undecodable(entry.id, path: path, problem: "\(error)")
            }
        }
        let actual = content.withUnsafeBytes { ContentID.of(buffer: $0) }
        guard actual == entry.id else { throw BlobStoreError.corrupt(entry.id, actual: actual, path: path) }
        return content
    }

    public func batch(replacing: Bool) throws -> BlobBatch {
        PackBatch(store: self, replacing: replacing)
    }

    public func list(_ body: (ContentID, Int64) throws -> Void) throws {
        var seen = Set<ContentID>()
        try index.indexedBlobs { id, size in
            seen.insert(id)
            try body(id, size)
        }
        try loose.list { id, size in
            if !seen.contains(id) { try body(id, size) }
        }
    }

    public func resumableWrite(of id: ContentID, size: Int64) throws -> any ResumableWrite {
        try PartialBlob(store: self, id: id, expectedSize: size)
    }

    /// Sealed downloads below the threshold go into a pack (their partial files removed once it
    /// is durable and indexed); larger ones are renamed into place as objects of their own.
    /// What is published was just checked against its id, so it supersedes any stored copy
    /// (a repair downloads again what is damaged).
    public func publish(_ sealed: [any ResumableWrite]) throws {
        let partials = sealed.compactMap { $0 as? PartialBlob }
        guard !partials.isEmpty else { return }
        let batch = PackBatch(store: self, replacing: true)
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

    public func availableBytes() throws -> Int64? {
        try loose.availableBytes()
    }

    public func removeStaleTemporaries() {
        loose.removeStaleTemporaries()
    }

    @discardableResult
    public func removeUnwantedPartials(keeping wanted: Set<String>) -> Int {
        let folder = root.path + "/partial"
        var removed = 0
        for name in loose.partials() {
            guard let id = ContentID(hex: name) else { continue }
            if !wanted.contains(name) || contains(id) {
                if unlink(folder + "/" + name) == 0 { removed += 1 }
            }
        }
        return removed
    }
}
