import Foundation
import SedimentStore
import StoreTestSupport
import XCTest

/// Every backend of ``BlobStore`` against the one conformance suite.
final class BlobStoreConformanceTests: XCTestCase {
    var folders: [URL] = []

    override func tearDownWithError() throws {
        for folder in folders { try? FileManager.default.removeItem(at: folder) }
    }

    /// Options small enough that the suite's blobs fill several packs and take both paths.
    static let testOptions = PackStore.Options(threshold: 64 << 10, packSize: 256 << 10, level: 3)

    func newPackStore() throws -> PackStore {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("packs-\(UUID().uuidString)")
        folders.append(folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let catalog = try Catalog(path: folder.path + "/catalog.sqlite")
        return try PackStore(root: folder.appendingPathComponent("blobs"), index: catalog, options: Self.testOptions)
    }

    /// The pack store on a local disk, indexed in a real catalog.
    func testPackStoreOnDisk() throws {
        BlobStoreConformance(make: { try self.newPackStore() }, damage: { store, id in
            try PackStoreDamage.flipByte(of: id, in: store as! PackStore)
        }, largeSize: Int(Self.testOptions.threshold)).runAll()
    }

    /// The store in memory.
    func testMemoryStore() throws {
        BlobStoreConformance(make: { MemoryBlobStore() }, damage: { store, id in
            (store as! MemoryBlobStore).overwrite(id, with: Data("tampered".utf8))
        }, largeSize: 64 << 10).runAll()
    }
}

/// Damage done to a pack store's files, as a failing disk would.
enum PackStoreDamage {
    /// Flips one byte inside the stored bytes of `id` (in its pack, or its own file).
    static func flipByte(of id: ContentID, in store: PackStore, at offset: Int64 = 0) throws {
        if let location = try store.index.locate([id])[id] {
            try flip(store.packPath(location.pack), at: location.entry.offset + min(offset, location.entry.length - 1))
        } else {
            try flip(store.loose.path(of: id), at: offset)
        }
    }

    static func flip(_ path: String, at offset: Int64) throws {
        chmod(path, 0o644)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        let byte = try handle.read(upToCount: 1) ?? Data([0])
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: Data([byte[0] ^ 0x5a]))
    }
}
