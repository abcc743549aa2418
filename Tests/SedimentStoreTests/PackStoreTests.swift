import Foundation
import SedimentStore
import XCTest

/// What only the pack store does: packs, their trailers, compression, the index rebuilt from
/// the packs, packs a crash left unindexed, loose blobs of older archives and their migration.
final class PackStoreTests: XCTestCase {
    var folder: URL!
    var catalog: Catalog!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("packstore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        catalog = try Catalog(path: folder.path + "/catalog.sqlite")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func store(_ options: PackStore.Options = PackStore.Options(), index: (any PackIndex)? = nil) throws -> PackStore {
        try PackStore(root: folder.appendingPathComponent("blobs"), index: index ?? catalog, options: options)
    }

    func text(_ n: Int) -> Data { Data("file \(n): \(String(repeating: "the same words again ", count: 20 + n % 50))\n".utf8) }

    /// Every regular file under the store, except the catalog's.
    func storeFiles() -> [String] {
        let root = folder.appendingPathComponent("blobs").path
        return (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter { path in
            var info = stat()
            return lstat(root + "/" + path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        }
    }

    func testAThousandSmallBlobsMakeOnePackFile() throws {
        let store = try store()
        let batch = try store.batch()
        var ids: [ContentID] = []
        for n in 0..<1_000 { ids.append(try batch.put(text(n))) }
        try batch.commit()
        let files = storeFiles()
        XCTAssertEqual(files.count, 1, "\(files.prefix(5))")
        XCTAssertEqual(store.packFiles().count, 1)
        XCTAssertTrue(files[0].hasPrefix("packs/") && files[0].hasSuffix(".pack"), files[0])
        for (n, id) in ids.enumerated() where n % 97 == 0 { XCTAssertEqual(try store.get(id), text(n)) }
    }

    func testPacksCloseAtTheirTargetSizeAndAreNamedByTheirHash() throws {
        let store = try store(PackStore.Options(threshold: 64 << 10, packSize: 100 << 10))
        let batch = try store.batch()
        for n in 0..<40 { try batch.put(Data((0..<10_000).map { _ in UInt8.random(in: 0...255) }) + Data([UInt8(n)])) }
        try batch.commit()
        let packs = store.packFiles()
        XCTAssertGreaterThanOrEqual(packs.count, 4)
        for pack in packs {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: store.packPath(pack)))
            XCTAssertEqual(ContentID.of(bytes), pack, "a pack is named by the SHA-256 of its bytes")
            XCTAssertLessThan(bytes.count, 100 << 10 + 11_000)
        }
    }

    func testCompressibleBlobsAreCompressedAndRandomOnesKeptRaw() throws {
        let store = try store()
        let batch = try store.batch()
        let words = try batch.put(Data(String(repeating: "weights and biases ", count: 2_000).utf8))
        let noise = try batch.put(Data((0..<40_000).map { _ in UInt8.random(in: 0...255) }))
        let manifest = try batch.put(Data("{\"entries\":[]}".utf8), kind: .manifest)
        try batch.commit()
        let found = try catalog.locate([words, noise, manifest])
        XCTAssertEqual(found[words]?.entry.compression, .zstd)
        XCTAssertLessThan(found[words]!.entry.length, 1_000, "38,000 bytes of repeated words shrink")
        XCTAssertEqual(found[words]?.entry.size, 38_000)
        XCTAssertEqual(found[noise]?.entry.compression, BlobCompression.none)
        XCTAssertEqual(found[noise]?.entry.length, 40_000)
        XCTAssertEqual(found[manifest]?.entry.kind, .manifest)
        XCTAssertEqual(try store.get(words).count, 38_000)
    }

    func testTheIndexRebuiltFromThePacksEqualsTheOneWritten() throws {
        let store = try store(PackStore.Options(threshold: 16 << 10, packSize: 64 << 10))
        for round in 0..<3 {
            let batch = try store.batch()
            for n in 0..<200 { try batch.put(text(round * 1_000 + n)) }
            try batch.put(Data((0..<20_000).map { _ in UInt8.random(in: 0...255) }))   // a large object: not in the index
            try batch.commit()
        }
        let written = try catalog.packIndexRows()
        XCTAssertEqual(written.count, 600)
        try catalog.replace(with: [])
        XCTAssertEqual(try catalog.packIndexRows(), [])
        let rebuild = try store.rebuildIndex { _, _ in }
        XCTAssertEqual(rebuild.packs, store.packFiles().count)
        XCTAssertEqual(rebuild.blobs, 600)
        XCTAssertEqual(try catalog.packIndexRows(), written)
    }

    /// A crash after the pack is durable and before it is indexed: the pack is found, its
    /// blobs are invisible until it is adopted, and nothing is lost.
    func testAPackLeftUnindexedIsFoundAndAdopted() throws {
        let failing = FailingIndex(catalog)
        let crashed = try store(index: failing)
        let batch = try crashed.batch()
        let ids = try (0..<10).map { try batch.put(text($0)) }
        XCTAssertThrowsError(try batch.commit())
        let store = try store()
        XCTAssertEqual(try store.unindexedPacks().count, 1)
        XCTAssertFalse(store.contains(ids[0]))
        let check = try store.checkStorage(share: 100) { _, _ in }
        XCTAssertEqual(check.unindexed.count, 1)
        XCTAssertEqual(try store.adoptUnindexedPacks().count, 1)
        XCTAssertEqual(try store.unindexedPacks(), [])
        for (n, id) in ids.enumerated() { XCTAssertEqual(try store.get(id), text(n)) }
    }

    func testCheckingPacksNamesTheBlobWithAFlippedByte() throws {
        let store = try store()
        let batch = try store.batch()
        let ids = try (0..<50).map { try batch.put(text($0)) }
        try batch.commit()
        XCTAssertEqual(try store.checkStorage(share: 100) { _, _ in }.problems.count, 0)
        try PackStoreDamage.flipByte(of: ids[17], in: store, at: 5)
        let check = try store.checkStorage(share: 100) { _, _ in }
        XCTAssertEqual(check.checked, 1)
        XCTAssertEqual(check.problems.compactMap(\.blob), [ids[17]], "\(check.problems)")

        XCTAssertThrowsError(try store.get(ids[17])) { XCTAssertTrue("\($0)".contains(ids[17].hex), "\($0)") }
        XCTAssertEqual(try store.get(ids[18]), text(18), "the other blobs of the pack are intact")
    }

    /// Damage outside every blob (the header's padding): the pack no longer hashes to its
    /// name, every blob still reads, and the check names the pack.
    func testAPackThatNoLongerHashesToItsNameIsNamed() throws {
        let store = try store()
        let batch = try store.batch()
        let id = try batch.put(text(1))
        try batch.commit()
        let pack = try XCTUnwrap(store.packFiles().first)
        try PackStoreDamage.flip(store.packPath(pack), at: 12)
        let check = try store.checkStorage(share: 100) { _, _ in }
        XCTAssertEqual(check.problems.count, 1)
        XCTAssertNil(check.problems.first?.blob)
        XCTAssertTrue("\(check.problems)".contains(pack.hex) && "\(check.problems)".contains("not to its name"), "\(check.problems)")
        XCTAssertEqual(try store.get(id), text(1))
    }

    /// An archive written before packs: blobs as files of their own. They read as before, and
    /// `packLooseBlobs` moves the small ones into packs, removing each loose file only once its
    /// pack is durable and indexed, leaving the large ones and the damaged ones where they are.
    func testLooseBlobsReadAsBeforeAndMigrateIntoPacks() throws {
        let store = try store(PackStore.Options(threshold: 32 << 10, packSize: 64 << 10))
        var loose: [ContentID: Data] = [:]
        for n in 0..<300 { loose[try writeLoose(text(n), in: store)] = text(n) }
        let large = Data((0..<40_000).map { _ in UInt8.random(in: 0...255) })
        loose[try writeLoose(large, in: store)] = large
        let damaged = try writeLoose(Data("damaged on disk".utf8), in: store)
        try PackStoreDamage.flipByte(of: damaged, in: store)
        for (id, data) in loose { XCTAssertEqual(try store.get(id), data) }

        let migration = try store.packLooseBlobs()
        XCTAssertEqual(migration.packed, 300)
        XCTAssertEqual(migration.removed, 300)
        XCTAssertEqual(migration.large, 1)
        XCTAssertEqual(migration.damaged.count, 1)
        XCTAssertGreaterThan(migration.packs, 1)
        XCTAssertEqual(migration.packs, store.packFiles().count)
        for (id, data) in loose { XCTAssertEqual(try store.get(id), data) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: store.loose.path(of: damaged)), "a damaged loose blob is left in place")
        XCTAssertTrue(FileManager.default.fileExists(atPath: store.loose.path(of: ContentID.of(large))))
        let again = try store.packLooseBlobs()
        XCTAssertEqual(again.packed, 0, "a second run has nothing to do")
    }

    /// Interrupted after a pack was indexed and before its loose files were removed: the next
    /// run removes them without packing them again.
    func testMigrationResumesAfterAnInterruption() throws {
        let store = try store()
        var ids: [ContentID] = []
        for n in 0..<20 { ids.append(try writeLoose(text(n), in: store)) }
        // What the interrupted run did: the pack durable and indexed, the loose files still there.
        let batch = try store.batch(replacing: true)
        for (n, id) in ids.enumerated().prefix(10) { try text(n).withUnsafeBytes { try batch.put($0, id: id) } }
        try batch.commit()
        XCTAssertEqual(store.packFiles().count, 1)
        let migration = try store.packLooseBlobs()
        XCTAssertEqual(migration.packed, 10)
        XCTAssertEqual(migration.removed, 20)
        XCTAssertEqual(store.packFiles().count, 2)
        for (n, id) in ids.enumerated() { XCTAssertEqual(try store.get(id), text(n)) }
    }

    /// Writes `data` as a loose blob, as an archive written before packs holds it.
    func writeLoose(_ data: Data, in store: PackStore) throws -> ContentID {
        let id = ContentID.of(data)
        try data.write(to: URL(fileURLWithPath: store.loose.path(of: id)))
        chmod(store.loose.path(of: id), 0o444)
        return id
    }
}

/// An index whose `add` fails, as a crash between the pack's durability and its indexing does.
final class FailingIndex: PackIndex {
    let inner: any PackIndex
    init(_ inner: any PackIndex) { self.inner = inner }
    struct Refused: Error {}
    func locate(_ ids: [ContentID]) throws -> [ContentID: PackLocation] { try inner.locate(ids) }
    func add(_ packs: [PackRecord], superseding: Bool) throws { throw Refused() }
    func indexedPacks() throws -> [ContentID: Int] { try inner.indexedPacks() }
    func indexedBlobs(_ body: (ContentID, Int64) throws -> Void) throws { try inner.indexedBlobs(body) }
    func replace(with packs: [PackRecord]) throws { try inner.replace(with: packs) }
}
