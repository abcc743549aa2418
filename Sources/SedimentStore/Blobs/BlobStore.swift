import Foundation

/// Errors of the blob store, naming the blob and the file concerned.
public enum BlobStoreError: Error, CustomStringConvertible {
    case missing(ContentID)
    case corrupt(ContentID, actual: ContentID, path: String)
    case io(operation: String, path: String, errno: Int32)
    /// Downloaded content that is not what its id says: discarded, nothing stored.
    case mismatch(ContentID, actual: ContentID, bytes: Int64)
    /// Downloaded content of the wrong length: discarded, nothing stored.
    case wrongSize(ContentID, expected: Int64, actual: Int64)
    /// A pack whose bytes cannot be what its name, trailer or index say.
    case damagedPack(pack: String, problem: String)
    /// A stored blob that cannot be decoded (its compressed bytes are damaged).
    case undecodable(ContentID, path: String, problem: String)
    /// An archive file (``BlobStore/putFile(_:data:)``) the store does not hold.
    case missingFile(String)
    /// A name that cannot be an archive file's.
    case invalidName(String, problem: String)

    public var description: String {
        switch self {
        case .missing(let id): return "blob \(id.hex) is not in the blob store"
        case .corrupt(let id, let actual, let path): return "blob \(id.hex) is damaged: \(path) hashes to \(actual.hex)"
        case .io(let op, let path, let code): return "\(op) \(path): \(String(cString: strerror(code)))"
        case .mismatch(let id, let actual, let bytes):
            return "the content received for \(id.hex) does not match it: \(bytes) bytes hashing to \(actual.hex); discarded"
        case .wrongSize(let id, let expected, let actual):
            return "the content received for \(id.hex) has \(actual) bytes, not the \(expected) announced; discarded"
        case .damagedPack(let pack, let problem): return "pack \(pack) is damaged: \(problem)"
        case .undecodable(let id, let path, let problem): return "blob \(id.hex) is damaged: its bytes in \(path) do not decompress (\(problem))"
        case .missingFile(let name): return "\(name) is not in the store"
        case .invalidName(let name, let problem): return "\"\(name)\" cannot name a file of the store: \(problem)"
        }
    }

    /// Whether the error says the content is damaged or absent (permanent: retrying the same
    /// read gives the same answer), rather than that the store could not be reached.
    public var isPermanent: Bool {
        switch self {
        case .io: return false
        default: return true
        }
    }
}

/// What a blob is, as a pack's trailer records it.
public enum BlobKind: UInt8, Sendable {
    /// The content of a file (a git blob, or a Git LFS object).
    case content = 0
    /// A manifest (canonical JSON listing a tree's files).
    case manifest = 1
}

/// A content-addressed store of blobs named by their SHA-256: the archive's file contents,
/// manifests and LFS objects.
///
/// The contract every backend keeps (the conformance suite checks it):
/// - **Ids are content.** A blob's id is the SHA-256 of its uncompressed bytes, whatever the
///   store does to keep it (packs, compression). Every read is checked against the id: a read
///   that would return other bytes throws ``BlobStoreError/corrupt(_:actual:path:)`` (or
///   ``BlobStoreError/undecodable(_:path:problem:)``) instead, after the chunks read so far.
/// - **Writes are batched and idempotent.** Blobs written through a ``BlobBatch`` become
///   visible together at `commit()`, and only after they are durable; writing what the store
///   holds already is a no-op, so any write may be repeated after a crash or an error.
///   A batch never committed leaves nothing visible (at most unreferenced temporary files,
///   removed by ``removeStaleTemporaries()``).
/// - **Large objects resume.** ``resumableWrite(of:size:)`` gives a write that outlives the
///   process and continues where it stopped; only complete content that hashes to its id is
///   ever published.
/// - **Errors say whether to retry.** ``BlobStoreError/isPermanent`` is true for missing and
///   damaged content, false for I/O errors, which a later attempt may not meet.
/// - **Nothing stored is deleted** by any call here but ``removeStaleTemporaries()`` (which
///   removes only temporaries) and ``removeUnwantedPartials(keeping:)`` (only unfinished
///   downloads).
/// Every call may be repeated; every call is safe from several threads, except that one
/// ``ResumableWrite`` belongs to one thread.
public protocol BlobStore: Sendable {
    /// Whether the store holds `id`.
    func contains(_ id: ContentID) -> Bool
    /// Which of `ids` the store holds (one lookup for many ids).
    func present(_ ids: [ContentID]) throws -> Set<ContentID>
    /// The length in bytes of the content `id`; nil when the store does not hold it.
    func size(of id: ContentID) -> Int64?
    /// Streams the bytes of `id` in `range` (the whole content when nil) to `body`, in chunks,
    /// and checks the whole content against its id at the end: a range is delivered only from
    /// content read in full and found intact, or the read throws after it.
    func read(_ id: ContentID, range: Range<Int64>?, _ body: (UnsafeRawBufferPointer) throws -> Void) throws
    /// Starts a batch of writes made durable and visible together; with `replacing`, blobs the
    /// store names already are written again (for repair, when their stored copy is damaged).
    func batch(replacing: Bool) throws -> BlobBatch
    /// Every stored blob with its length; order unspecified.
    func list(_ body: (ContentID, Int64) throws -> Void) throws
    /// Opens (creating, or resuming) the write of the large object `id` of `size` bytes.
    func resumableWrite(of id: ContentID, size: Int64) throws -> any ResumableWrite
    /// Makes sealed resumable writes durable, then visible under their ids, together.
    func publish(_ sealed: [any ResumableWrite]) throws
    /// The bytes the store may still take; nil when it cannot tell (no limit is then applied).
    func availableBytes() throws -> Int64?
    /// Removes temporary files left by an interrupted batch (call when no batch is open).
    func removeStaleTemporaries()
    /// Removes unfinished resumable writes of objects nobody waits for any more (their object
    /// is stored, or `wanted`, the hex ids still pending, does not name them).
    @discardableResult
    func removeUnwantedPartials(keeping wanted: Set<String>) -> Int
    /// Checks the store's own structure, reading `share` (0–100] of it (for packs: a random
    /// share of the packs read whole, every blob in them decompressed and hashed; and the packs
    /// the index does not know).
    func checkStorage(share: Double, progress: (Int, Int) -> Void) throws -> StorageCheck
    /// Rebuilds the store's index from the stored data alone; returns what it found.
    func rebuildIndex(progress: (Int, Int) -> Void) throws -> IndexRebuild
    /// Completes what a crashed writer left durable but unfinished (for packs: indexes the
    /// packs it wrote and did not index); returns how many units it recovered. Call when no
    /// batch is open.
    func recoverInterruptedWrites() throws -> Int
    /// Moves blobs kept in an older layout into the current one (for packs: the loose blobs of
    /// an archive written before packs), resumably; `progress` gets the running totals and the
    /// number of blobs to move.
    func migrateLegacyLayout(progress: (LooseMigration, Int) -> Void) throws -> LooseMigration

    // Archive files: immutable named files kept beside the blobs (the visit records and the
    // git packs that make the store the whole archive). A name is a relative path of
    // segments of `[A-Za-z0-9._-]` joined by `/` (``ArchiveFileName``). Files are immutable:
    // a name is written once, with the same bytes if written again (after a crash).

    /// Stores `data` as the file `name`, durable when this returns.
    func putFile(_ name: String, data: Data) throws
    /// Stores the local file at `path` as the file `name` (streamed, whatever its size),
    /// durable when this returns.
    func putFile(_ name: String, from path: String) throws
    /// The content of the file `name`; ``BlobStoreError/missingFile(_:)`` when absent.
    func file(_ name: String) throws -> Data
    /// Copies the file `name` into a new local file at `path` (streamed).
    func copyFile(_ name: String, to path: String) throws
    /// Every file whose name starts with `prefix`, with its size, in byte order of the names.
    func listFiles(prefix: String, _ body: (String, Int64) throws -> Void) throws
}

/// The rule for archive file names: `records/visits/…/x.json`, `git/…/y.pack`. The first
/// segment may not be one the blob layout uses (`packs`, `objects`, `tmp`, `partial`, two
/// characters).
public enum ArchiveFileName {
    public static let reserved: Set<String> = ["packs", "objects", "tmp", "partial"]

    public static func check(_ name: String) throws {
        let segments = name.split(separator: "/", omittingEmptySubsequences: false)
        guard name.utf8.count <= 512 else { throw BlobStoreError.invalidName(name, problem: "longer than 512 bytes") }
        for segment in segments {
            guard !segment.isEmpty, segment != ".", segment != ".." else {
                throw BlobStoreError.invalidName(name, problem: "empty, \".\" or \"..\" segment")
            }
            guard segment.utf8.allSatisfy({ $0 < 128 && (isalnum(Int32($0)) != 0 || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")) }) else {
                throw BlobStoreError.invalidName(name, problem: "only letters, digits, \".\", \"_\" and \"-\" may appear between slashes")
            }
        }
        guard segments.count > 1, !isBlobLayout(firstSegment: segments[0]) else {
            throw BlobStoreError.invalidName(name, problem: "it must lie in a folder whose name is not one of the blob layout's")
        }
    }

    /// Whether a name beginning with `segment` (up to its first `/`) belongs to the blobs, not
    /// to the archive files.
    public static func isBlobLayout<S: StringProtocol>(firstSegment segment: S) -> Bool {
        segment.count <= 2 || reserved.contains(String(segment))
    }

    /// Checks that `prefix` can select archive files in a listing (it names a folder of them,
    /// or the start of one's name past the blob layout's two-character shards).
    public static func checkListingPrefix(_ prefix: String) throws {
        guard prefix.contains("/") || prefix.count > 2 else {
            throw BlobStoreError.invalidName(prefix, problem: "a listing names a folder of archive files")
        }
    }

    /// `files` in byte order of their names, as listings give them.
    public static func sorted(_ files: [(String, Int64)]) -> [(String, Int64)] {
        files.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
    }
}

/// What ``BlobStore/checkStorage(share:progress:)`` found.
public struct StorageCheck: Sendable {
    /// Units of storage read (packs).
    public var checked = 0
    /// Damage found, each naming the pack and, where it is one blob, the blob.
    public var problems: [PackProblem] = []
    /// Packs the index does not know (left by a crash before indexing).
    public var unindexed: [ContentID] = []

    public init() {}
}

/// What ``BlobStore/rebuildIndex(progress:)`` did.
public struct IndexRebuild: Sendable {
    public var packs = 0
    public var blobs = 0
    /// Packs whose trailer could not be read: their blobs are not indexed.
    public var unreadable: [PackProblem] = []

    public init() {}
}

extension BlobStore {
    /// Whether the store holds `id` with exactly `size` bytes. Content is known by its hash
    /// *and* its size: a claim about content (an LFS pointer's `size`, a catalog row) is taken
    /// as satisfied by what the store holds only when both agree.
    public func contains(_ id: ContentID, size: Int64) -> Bool {
        self.size(of: id) == size
    }

    /// The content of `id`, checked against its hash.
    public func get(_ id: ContentID) throws -> Data {
        var data = Data()
        if let size = size(of: id) { data.reserveCapacity(Int(size)) }
        try read(id, range: nil) { data.append(contentsOf: $0) }
        return data
    }

    /// Streams the whole content of `id`, checked against its hash.
    public func read(_ id: ContentID, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try read(id, range: nil, body)
    }

    /// Re-hashes `id`; throws when it is missing or damaged.
    public func check(_ id: ContentID) throws {
        try read(id, range: nil) { _ in }
    }

    /// A batch of new blobs.
    public func batch() throws -> BlobBatch {
        try batch(replacing: false)
    }

    /// This store, also reading the blobs of `packs`: packs made durable by
    /// ``BlobBatch/commitDeferringIndex()`` and not indexed yet. Stores without packs are
    /// returned as they are.
    public func including(_ packs: [PackRecord]) -> any BlobStore {
        guard !packs.isEmpty, let store = self as? any PendingPackReading else { return self }
        return store.alsoIndexing(packs)
    }

    /// Every stored id; order unspecified.
    public func allIDs() throws -> [ContentID] {
        var ids: [ContentID] = []
        try list { id, _ in ids.append(id) }
        return ids
    }
}

/// A store whose packs are found through a separate ``PackIndex``, which can also read packs
/// made durable and not indexed yet (``BlobStore/including(_:)``).
public protocol PendingPackReading: BlobStore {
    /// This store, also finding the blobs of `packs` (durable, not indexed yet).
    func alsoIndexing(_ packs: [PackRecord]) -> any BlobStore
}

/// Delivers the bytes of `range` (all of them when nil) of content held whole in memory: the
/// part of the range inside the content, nothing when that part is empty.
public func deliver(_ content: UnsafeRawBufferPointer, range: Range<Int64>?, to body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
    let count = Int64(content.count)
    let lower = Int(max(0, min(range?.lowerBound ?? 0, count))), upper = Int(max(0, min(range?.upperBound ?? count, count)))
    if lower < upper { try body(UnsafeRawBufferPointer(rebasing: content[lower..<upper])) }
}

/// Writes to a blob store that become durable and visible together.
public protocol BlobBatch: AnyObject {
    /// Stages `bytes` already known to hash to `id` (the caller hashed them); content already
    /// stored or staged is skipped.
    func put(_ bytes: UnsafeRawBufferPointer, id: ContentID, kind: BlobKind) throws
    /// Stages `bytes` known to hash to `id` that the caller has reason to believe the store
    /// lacks (the content of a git blob the catalog has never seen: the same content is always
    /// the same git blob), without asking the store whether it holds it; content staged in this
    /// batch is still skipped. Should the store hold it after all, the second copy costs only
    /// space: reads and the index keep one.
    func putUnseen(_ bytes: UnsafeRawBufferPointer, id: ContentID, kind: BlobKind) throws
    /// Makes every staged blob durable, then visible under its id.
    func commit() throws
    /// Makes every staged blob durable, but leaves the packs written unindexed: the caller
    /// adds the returned packs to the index in its own catalog transaction (a visit's, with
    /// the manifests and the snapshot that name the blobs). Until then, blobs in them are not
    /// visible; if that transaction never happens, the next ``BlobStore/recoverInterruptedWrites()``
    /// indexes them. Stores without a separate index return nothing, their blobs visible.
    func commitDeferringIndex() throws -> [PackRecord]
    /// Drops every staged blob.
    func discard()
}

extension BlobBatch {
    public func putUnseen(_ bytes: UnsafeRawBufferPointer, id: ContentID, kind: BlobKind) throws {
        try put(bytes, id: id, kind: kind)
    }

    public func commitDeferringIndex() throws -> [PackRecord] {
        try commit()
        return []
    }

    /// Stages `bytes`, returning its id.
    @discardableResult
    public func put(_ bytes: UnsafeRawBufferPointer, kind: BlobKind = .content) throws -> ContentID {
        let id = ContentID.of(buffer: bytes)
        try put(bytes, id: id, kind: kind)
        return id
    }

    /// Stages `bytes` known to hash to `id`, as file content.
    public func put(_ bytes: UnsafeRawBufferPointer, id: ContentID) throws {
        try put(bytes, id: id, kind: .content)
    }

    @discardableResult
    public func put(_ data: Data, kind: BlobKind = .content) throws -> ContentID {
        try data.withUnsafeBytes { try put($0, kind: kind) }
    }
}

/// The write of one large object whose id (SHA-256) and size are known in advance (a Git LFS
/// object), hashed as it grows, which outlives the process: opened again after a crash, a kill
/// or a dropped connection, it resumes at ``length``. Not thread-safe: one writer per id.
public protocol ResumableWrite: AnyObject {
    var id: ContentID { get }
    var expectedSize: Int64 { get }
    /// Bytes held so far.
    var length: Int64 { get }
    /// Appends the next bytes; more than ``expectedSize`` in all is an error (and discards it).
    func append(_ bytes: UnsafeRawBufferPointer) throws
    /// Drops what was received, to receive the object again from its first byte.
    func restart() throws
    /// Checks size and hash (a mismatch discards it and throws) and closes it, ready for
    /// ``BlobStore/publish(_:)``, which makes a group of sealed writes durable together.
    func seal() throws
    /// Checks size and hash, then publishes it alone.
    func complete() throws
    /// Deletes what was received.
    func discard()
}

extension ResumableWrite {
    /// Whether every announced byte was received.
    public var isFull: Bool { length == expectedSize }
}
