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
public struct PackStore: BlobStore, PendingPackReading {
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
        root = store.root
        loose = store.loose
        options = store.options
        index = OverlayPackIndex(base: store.index, pending: packs)
    }

    public func alsoIndexing(_ packs: [PackRecord]) -> any BlobStore {
        PackStore(self, alsoIndexing: packs)
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
        return try PackFormat.decode(stored, entry: entry, path: path)
    }

    public func batch(replacing: Bool) throws -> BlobBatch {
        PackBatch(target: self, replacing: replacing)
    }

    public func list(_ body: (ContentID, Int64) throws -> Void) throws {
        try listBlobs(others: loose.list, body)
    }

    public func resumableWrite(of id: ContentID, size: Int64) throws -> any ResumableWrite {
        try PartialBlob(store: self, id: id, expectedSize: size)
    }

    public func publish(_ sealed: [any ResumableWrite]) throws {
        try publishPartials(sealed)
    }

    public func availableBytes() throws -> Int64? {
        try loose.availableBytes()
    }

    public func removeStaleTemporaries() {
        loose.removeStaleTemporaries()
    }

    @discardableResult
    public func removeUnwantedPartials(keeping wanted: Set<String>) -> Int {
        PartialBlob.removeUnwanted(in: root.path + "/partial", keeping: wanted) { contains($0) }
    }
}
