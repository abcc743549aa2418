import Foundation
import SedimentStore
import Synchronization

/// A store opened at its first use: reading commands that need only the catalog (`packages`,
/// `log`, `snapshots`) then work without what opening the store takes (a bucket's
/// credentials). A failed opening is tried again at the next use; calls that cannot throw
/// answer as an empty store would (not held, nothing removed), and the first call that can
/// throw reports why the store could not be opened.
final class DeferredStore: BlobStore, PendingPackReading {
    private let opening: @Sendable () throws -> any BlobStore
    private let opened = Mutex<(any BlobStore)?>(nil)

    init(_ opening: @escaping @Sendable () throws -> any BlobStore) {
        self.opening = opening
    }

    /// The store, opened now if it was not yet.
    func store() throws -> any BlobStore {
        if let store = opened.withLock({ $0 }) { return store }
        let store = try opening()
        opened.withLock { $0 = store }
        return store
    }

    func contains(_ id: ContentID) -> Bool { (try? store().contains(id)) ?? false }
    func present(_ ids: [ContentID]) throws -> Set<ContentID> { try store().present(ids) }
    func size(of id: ContentID) -> Int64? { (try? store())?.size(of: id) }
    func read(_ id: ContentID, range: Range<Int64>?, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try store().read(id, range: range, body)
    }
    func batch(replacing: Bool) throws -> BlobBatch { try store().batch(replacing: replacing) }
    func list(_ body: (ContentID, Int64) throws -> Void) throws { try store().list(body) }
    func resumableWrite(of id: ContentID, size: Int64) throws -> any ResumableWrite { try store().resumableWrite(of: id, size: size) }
    func publish(_ sealed: [any ResumableWrite]) throws { try store().publish(sealed) }
    func availableBytes() throws -> Int64? { try store().availableBytes() }
    func removeStaleTemporaries() { (try? store())?.removeStaleTemporaries() }
    func removeUnwantedPartials(keeping wanted: Set<String>) -> Int { (try? store())?.removeUnwantedPartials(keeping: wanted) ?? 0 }
    func checkStorage(share: Double, progress: (Int, Int) -> Void) throws -> StorageCheck {
        try store().checkStorage(share: share, progress: progress)
    }
    func rebuildIndex(progress: (Int, Int) -> Void) throws -> IndexRebuild { try store().rebuildIndex(progress: progress) }
    func recoverInterruptedWrites() throws -> Int { try store().recoverInterruptedWrites() }
    func migrateLegacyLayout(progress: (LooseMigration, Int) -> Void) throws -> LooseMigration {
        try store().migrateLegacyLayout(progress: progress)
    }
    func putFile(_ name: String, data: Data) throws { try store().putFile(name, data: data) }
    func putFile(_ name: String, from path: String) throws { try store().putFile(name, from: path) }
    func file(_ name: String) throws -> Data { try store().file(name) }
    func copyFile(_ name: String, to path: String) throws { try store().copyFile(name, to: path) }
    func listFiles(prefix: String, _ body: (String, Int64) throws -> Void) throws { try store().listFiles(prefix: prefix, body) }
    func alsoIndexing(_ packs: [PackRecord]) -> any BlobStore {
        guard let store = try? store() else { return self }
        return store.including(packs)
    }
}
