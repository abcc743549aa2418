import Crypto
import Foundation
import Synchronization

/// A blob store in memory, keeping the contract of ``BlobStore``: for tests, and for work on
/// blobs that need not outlive the process. Resumable writes resume within the process.
public final class MemoryBlobStore: BlobStore {
    struct State {
        var blobs: [ContentID: Data] = [:]
        var partials: [ContentID: Data] = [:]
        var files: [String: Data] = [:]
    }
    let state = Mutex(State())

    public init() {}

    public func contains(_ id: ContentID) -> Bool {
        state.withLock { $0.blobs[id] != nil }
    }

    public func present(_ ids: [ContentID]) throws -> Set<ContentID> {
        state.withLock { state in Set(ids.filter { state.blobs[$0] != nil }) }
    }

    public func size(of id: ContentID) -> Int64? {
        state.withLock { $0.blobs[id].map { Int64($0.count) } }
    }

    public func read(_ id: ContentID, range: Range<Int64>?, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let data = state.withLock({ $0.blobs[id] }) else { throw BlobStoreError.missing(id) }
        let actual = ContentID.of(data)
        guard actual == id else { throw BlobStoreError.corrupt(id, actual: actual, path: "memory") }
        try data.withUnsafeBytes { try deliver($0, range: range, to: body) }
    }

    public func batch(replacing: Bool) throws -> BlobBatch {
        MemoryBlobBatch(store: self, replacing: replacing)
    }

    public func list(_ body: (ContentID, Int64) throws -> Void) throws {
        for (id, data) in state.withLock({ $0.blobs }) { try body(id, Int64(data.count)) }
    }

    public func resumableWrite(of id: ContentID, size: Int64) throws -> any ResumableWrite {
        MemoryResumableWrite(store: self, id: id, expectedSize: size)
    }

    public func publish(_ sealed: [any ResumableWrite]) throws {
        state.withLock { state in
            for write in sealed {
                if let data = state.partials.removeValue(forKey: write.id) { state.blobs[write.id] = data }
            }
        }
    }

    public func availableBytes() throws -> Int64? { nil }

    public func removeStaleTemporaries() {}

    @discardableResult
    public func removeUnwantedPartials(keeping wanted: Set<String>) -> Int {
        state.withLock { state in
            let unwanted = state.partials.keys.filter { !wanted.contains($0.hex) || state.blobs[$0] != nil }
            for id in unwanted { state.partials[id] = nil }
            return unwanted.count
        }
    }

    public func checkStorage(share: Double, progress: (Int, Int) -> Void) throws -> StorageCheck { StorageCheck() }

    public func rebuildIndex(progress: (Int, Int) -> Void) throws -> IndexRebuild { IndexRebuild() }

    public func recoverInterruptedWrites() throws -> Int { 0 }

    public func migrateLegacyLayout(progress: (LooseMigration, Int) -> Void) throws -> LooseMigration { LooseMigration() }

    public func putFile(_ name: String, data: Data) throws {
        try ArchiveFileName.check(name)
        state.withLock { $0.files[name] = data }
    }

    public func putFile(_ name: String, from path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw BlobStoreError.io(operation: "read", path: path, errno: errno) }
        try putFile(name, data: data)
    }

    public func file(_ name: String) throws -> Data {
        guard let data = state.withLock({ $0.files[name] }) else { throw BlobStoreError.missingFile(name) }
        return data
    }

    public func copyFile(_ name: String, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: try file(name)) else {
            throw BlobStoreError.io(operation: "create", path: path, errno: errno)
        }
    }

    public func listFiles(prefix: String, _ body: (String, Int64) throws -> Void) throws {
        let files = state.withLock { $0.files }.filter { $0.key.hasPrefix(prefix) }
        for name in files.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            try body(name, Int64(files[name]!.count))
        }
    }

    /// Replaces the stored bytes of `id` (to damage it, in tests of what reads then do).
    public func overwrite(_ id: ContentID, with data: Data) {
        state.withLock { $0.blobs[id] = data }
    }
}

final class MemoryBlobBatch: BlobBatch {
    let store: MemoryBlobStore
    let replacing: Bool
    private var staged: [ContentID: Data] = [:]

    init(store: MemoryBlobStore, replacing: Bool) {
        self.store = store
        self.replacing = replacing
    }

    func put(_ bytes: UnsafeRawBufferPointer, id: ContentID, kind: BlobKind) throws {
        if staged[id] != nil || (!replacing && store.contains(id, size: Int64(bytes.count))) { return }
        staged[id] = Data(bytes)
    }

    func commit() throws {
        let staged = self.staged
        self.staged = [:]
        store.state.withLock { state in state.blobs.merge(staged) { _, new in new } }
    }

    func discard() {
        staged = [:]
    }
}

/// A resumable write held in the store's memory until it is published.
final class MemoryResumableWrite: ResumableWrite {
    let store: MemoryBlobStore
    let id: ContentID
    let expectedSize: Int64

    init(store: MemoryBlobStore, id: ContentID, expectedSize: Int64) {
        self.store = store
        self.id = id
        self.expectedSize = expectedSize
        store.state.withLock { state in
            if (state.partials[id]?.count ?? 0) > Int(expectedSize) { state.partials[id] = nil }
            if state.partials[id] == nil { state.partials[id] = Data() }
        }
    }

    var length: Int64 { Int64(store.state.withLock { $0.partials[id]?.count ?? 0 }) }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        let total = length + Int64(bytes.count)
        guard total <= expectedSize else {
            discard()
            throw BlobStoreError.wrongSize(id, expected: expectedSize, actual: total)
        }
        store.state.withLock { $0.partials[id, default: Data()].append(contentsOf: bytes) }
    }

    func restart() throws {
        store.state.withLock { $0.partials[id] = Data() }
    }

    func seal() throws {
        let data = store.state.withLock { $0.partials[id] ?? Data() }
        guard Int64(data.count) == expectedSize else {
            discard()
            throw BlobStoreError.wrongSize(id, expected: expectedSize, actual: Int64(data.count))
        }
        let actual = ContentID.of(data)
        guard actual == id else {
            discard()
            throw BlobStoreError.mismatch(id, actual: actual, bytes: Int64(data.count))
        }
    }

    func complete() throws {
        try seal()
        try store.publish([self])
    }

    func discard() {
        store.state.withLock { $0.partials[id] = nil }
    }
}
