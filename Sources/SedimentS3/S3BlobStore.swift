import Foundation
import SedimentStore

/// The blob store in an S3-compatible bucket, with the layout of the local ``PackStore``
/// under the location's prefix (`docs/format.md`, "In object storage"):
///
///     PREFIX/packs/ab/<pack id>.pack   packs of small blobs, each sent with one PUT
///     PREFIX/objects/ab/<blob id>      large objects, sent in parts (multipart upload)
///     PREFIX/<name>                    archive files (visit records, git packs)
///
/// Packs are built locally (in ``workFolder``, by the same ``PackBatch`` as the local store),
/// uploaded, then indexed in the ``PackIndex``: the index answers every question about small
/// blobs without a request. Reads are ranged GETs (a packed blob: its bytes of the pack) and
/// are checked against the id; a large object is read whole, streamed and hashed, as
/// ``LooseObjects`` reads. Resumable writes grow in local partial files and are uploaded when
/// published; a large object's multipart upload resumes after a crash (its upload id and
/// parts are found again with ListMultipartUploads and ListParts).
public struct S3BlobStore: BlobStore, PendingPackReading {
    public let client: S3Client
    public let index: any PackIndex
    public let options: PackStore.Options
    /// The local folder of packs being built and large objects waiting to be sent.
    public let workFolder: String
    /// The local folder of resumable writes (`<hex>`).
    public let partialFolder: String
    /// Other processes write to the bucket too (the workers of a fleet): the multipart
    /// uploads in progress may be theirs, and are left to them (and to the bucket's lifecycle
    /// rule for abandoned uploads).
    public var otherWriters = false

    /// A store at `settings.location`, indexed by `index` (the catalog), working in the local
    /// folder `work` (its `tmp/` and `partial/` are created).
    public init(settings: S3Settings, index: any PackIndex, work: URL, options: PackStore.Options = PackStore.Options()) throws {
        try self.init(client: S3Client(settings: settings), index: index, work: work, options: options)
    }

    /// A store reached through `client`.
    public init(client: S3Client, index: any PackIndex, work: URL, options: PackStore.Options = PackStore.Options()) throws {
        self.client = client
        self.index = index
        self.options = options
        workFolder = work.path + "/tmp"
        partialFolder = work.path + "/partial"
        try? FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        for folder in [workFolder, partialFolder] where mkdir(folder, 0o755) != 0 && errno != EEXIST {
            throw BlobStoreError.io(operation: "create", path: folder, errno: errno)
        }
    }

    init(_ store: S3BlobStore, alsoIndexing packs: [PackRecord]) {
        client = store.client
        options = store.options
        workFolder = store.workFolder
        partialFolder = store.partialFolder
        otherWriters = store.otherWriters
        index = OverlayPackIndex(base: store.index, pending: packs)
    }

    public func alsoIndexing(_ packs: [PackRecord]) -> any BlobStore {
        S3BlobStore(self, alsoIndexing: packs)
    }

    public var location: S3Location { client.settings.location }

    /// The key of pack `id`.
    public func packKey(_ id: ContentID) -> String {
        location.key("packs/\(id.hex.prefix(2))/\(id.hex).pack")
    }

    /// The key of the large object `id`.
    public func objectKey(_ id: ContentID) -> String {
        location.key("objects/\(id.hex.prefix(2))/\(id.hex)")
    }

    /// `key` as errors name it: `s3://bucket/key`.
    func shown(_ key: String) -> String {
        "s3://\(location.bucket)/\(key)"
    }

    public func contains(_ id: ContentID) -> Bool {
        size(of: id) != nil
    }

    public func present(_ ids: [ContentID]) throws -> Set<ContentID> {
        var found = Set(try index.locate(ids).keys)
        for id in ids where !found.contains(id) {
            if try client.headObject(objectKey(id)) != nil { found.insert(id) }
        }
        return found
    }

    /// From the index for a packed blob; a HEAD request otherwise.
    public func size(of id: ContentID) -> Int64? {
        if let location = (try? index.locate([id]))?[id] { return location.entry.size }
        return (try? client.headObject(objectKey(id))) ?? nil
    }

    public func read(_ id: ContentID, range: Range<Int64>?, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        if let location = try index.locate([id])[id] {
            let entry = location.entry
            let key = packKey(location.pack)
            guard let stored = try client.getObject(key, range: entry.offset..<entry.offset + entry.length) else {
                throw BlobStoreError.missing(id)
            }
            guard stored.count == Int(entry.length) else {
                throw BlobStoreError.damagedPack(pack: shown(key), problem: "\(stored.count) bytes where blob \(id.hex) should have \(entry.length)")
            }
            let content = try PackFormat.decode([UInt8](stored), entry: entry, path: shown(key))
            try content.withUnsafeBytes { try deliver($0, range: range, to: body) }
            return
        }
        let key = objectKey(id)
        var stream = VerifiedStream(id, range: range)
        guard try client.streamObject(key, { try stream.feed($0, to: body) }) else { throw BlobStoreError.missing(id) }
        try stream.finish(path: shown(key))
    }

    public func batch(replacing: Bool) throws -> BlobBatch {
        PackBatch(target: self, replacing: replacing)
    }

    /// The index's blobs, then the large objects (one listing of `objects/`).
    public func list(_ body: (ContentID, Int64) throws -> Void) throws {
        try listBlobs(others: { each in
            try client.listObjects(prefix: location.key("objects/")) { object in
                guard let name = object.key.split(separator: "/").last, let id = ContentID(hex: String(name)) else { return }
                try each(id, object.size)
            }
        }, body)
    }

    public func resumableWrite(of id: ContentID, size: Int64) throws -> any ResumableWrite {
        try PartialBlob(folder: partialFolder, id: id, expectedSize: size) { try self.publish([$0]) }
    }

    public func publish(_ sealed: [any ResumableWrite]) throws {
        try publishPartials(sealed)
    }

    /// A bucket has no limit the store can see.
    public func availableBytes() throws -> Int64? { nil }

    public func removeStaleTemporaries() {
        FileWriting.removeFiles(in: workFolder)
    }

    /// Removes the local partial files of objects nobody waits for, and aborts the multipart
    /// uploads a crash left under `objects/` for objects `wanted` does not name (their parts
    /// are deleted; such an object written again is sent whole); the uploads of wanted
    /// objects are kept, to resume.
    @discardableResult
    public func removeUnwantedPartials(keeping wanted: Set<String>) -> Int {
        var removed = PartialBlob.removeUnwanted(in: partialFolder, keeping: wanted) { contains($0) }
        guard !otherWriters else { return removed }
        for upload in (try? client.listMultipartUploads(prefix: location.key("objects/"))) ?? [] {
            guard let name = upload.key.split(separator: "/").last, !wanted.contains(String(name)) else { continue }
            if (try? client.abortMultipartUpload(upload.key, uploadID: upload.uploadID)) != nil { removed += 1 }
        }
        return removed
    }

    /// Nothing to move: a bucket store has no older layout.
    public func migrateLegacyLayout(progress: (LooseMigration, Int) -> Void) throws -> LooseMigration {
        LooseMigration()
    }
}
