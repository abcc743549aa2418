import Foundation
import SedimentS3
import SedimentStore
import StoreTestSupport
import TestSupport
import XCTest

/// The S3 store against moto: the conformance suite, the requests it costs, paging.
final class S3BlobStoreTests: S3TestCase {
    /// Flips one byte of the stored bytes of `id` in the bucket (its pack, or its object).
    static func damage(_ id: ContentID, in store: S3BlobStore) throws {
        let key: String
        var offset: Int64 = 0
        if let location = try store.index.locate([id])[id] {
            key = store.packKey(location.pack)
            offset = location.entry.offset
        } else {
            key = store.objectKey(id)
        }
        var bytes = try XCTUnwrap(try store.client.getObject(key))
        bytes[Int(offset)] ^= 0x5a
        try store.client.putObject(key, data: bytes)
    }

    /// The whole suite, with a catalog as the index.
    func testConformanceWithCatalog() throws {
        let settings = try settings()
        BlobStoreConformance(make: {
            let work = self.workFolder()
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            let catalog = try Catalog(path: work.path + "/catalog.sqlite")
            // Each store its own prefix of the bucket: a fresh, empty store.
            var fresh = settings
            fresh.location = try S3Location(bucket: settings.location.bucket, prefix: "s-\(UUID().uuidString.prefix(8))")
            return try S3BlobStore(settings: fresh, index: catalog, work: work, options: Self.testOptions)
        }, damage: { store, id in
            try Self.damage(id, in: store as! S3BlobStore)
        }, largeSize: Int(Self.testOptions.threshold)).runAll()
    }

    /// With large objects sent in several parts (parts of 5 MiB, S3's least), and an empty prefix.
    func testLargeObjectsInParts() throws {
        let store = try store(settings(prefix: ""))
        let data = random(11 << 20 + 123)
        let batch = try store.batch()
        let id = try batch.put(data)
        try batch.commit()
        XCTAssertEqual(store.client.requestCount("UploadPart"), 3)
        XCTAssertEqual(store.client.requestCount("CompleteMultipartUpload"), 1)
        XCTAssertEqual(try store.client.headObject("objects/\(id.hex.prefix(2))/\(id.hex)"), Int64(data.count))
        XCTAssertEqual(try store.get(id), data)
        var middle = Data()
        try store.read(id, range: Int64(5 << 20) - 5..<Int64(5 << 20) + 5) { middle.append(contentsOf: $0) }
        XCTAssertEqual(middle, data.subdata(in: (5 << 20) - 5..<(5 << 20) + 5))
        XCTAssertEqual(try store.client.listMultipartUploads(prefix: ""), [])
    }

    /// 1,000 small blobs cost one PUT per pack and nothing else: the index answers whether
    /// each is stored, never a request.
    func testRequestsPerThousandSmallBlobs() throws {
        let store = try store(settings())
        let batch = try store.batch()
        for n in 0..<1_000 {
            try batch.put(Data("small blob number \(n) ".utf8) + random(300))
        }
        let packs = try batch.commitDeferringIndex()
        XCTAssertFalse(packs.isEmpty)
        XCTAssertEqual(store.client.requestCount, packs.count, "requests other than one PUT per pack")
        XCTAssertLessThanOrEqual(store.client.requestCount, 1 + packs.count)
        XCTAssertEqual(packs.reduce(0) { $0 + $1.entries.count }, 1_000)
        // Not indexed yet: invisible, but readable through the packs given back.
        let id = packs[0].entries[0].id
        XCTAssertFalse(try store.index.locate([id])[id] != nil)
        XCTAssertNotNil(try store.including(packs).get(id))
        try store.index.add(packs)
        XCTAssertEqual(try store.allIDs().count, 1_000)
    }

    /// Listings page: more keys than a page holds are all found (ListObjectsV2 with
    /// continuation tokens), and a rebuilt index equals the one the writes made.
    func testListingPagesAndIndexRebuild() throws {
        let store = try store(settings(), options: PackStore.Options(threshold: 64 << 10, packSize: 256, level: 3))
        let batch = try store.batch()
        for n in 0..<60 { try batch.put(random(400 + n)) }
        try batch.commit()
        var keys: [String] = []
        try store.client.listObjects(prefix: store.location.key("packs/"), maxKeys: 7) { keys.append($0.key) }
        XCTAssertEqual(keys.count, 60)
        XCTAssertGreaterThanOrEqual(store.client.requestCount("ListObjectsV2"), 9)
        XCTAssertEqual(keys, keys.sorted())
        let before = try store.index.indexedPacks()
        let rebuilt = try store.rebuildIndex { _, _ in }
        XCTAssertEqual(rebuilt.packs, 60)
        XCTAssertEqual(rebuilt.blobs, 60)
        XCTAssertEqual(try store.index.indexedPacks(), before)
        let check = try store.checkStorage(share: 100) { _, _ in }
        XCTAssertEqual(check.checked, 60)
        XCTAssertTrue(check.problems.isEmpty, "\(check.problems)")
    }

    /// A pack uploaded but never indexed (a crash between the two) is found and indexed by
    /// recoverInterruptedWrites; a damaged pack is reported by checkStorage, naming it.
    func testRecoveryAndDamage() throws {
        let index = MemoryPackIndex()
        let store = try store(settings(), index: index)
        let batch = try store.batch()
        let id = try batch.put(random(5_000))
        let packs = try batch.commitDeferringIndex()
        XCTAssertFalse(store.contains(id))
        XCTAssertEqual(try store.unindexedPacks(), packs.map(\.id))
        XCTAssertEqual(try store.recoverInterruptedWrites(), 1)
        XCTAssertTrue(store.contains(id))
        try Self.damage(id, in: store)
        let check = try store.checkStorage(share: 100) { _, _ in }
        XCTAssertEqual(check.problems.count, 1, "\(check.problems)")
        XCTAssertTrue(check.problems.contains { $0.blob == id && "\($0)".contains(store.packKey(packs[0].id)) }, "\(check.problems)")
    }
}
