import Foundation
import SedimentStore
import XCTest

/// Downloads into the blob store: resumed after a reopen, stored only when they match.
final class PartialBlobTests: XCTestCase {
    var folder: URL!
    var store: PackStore!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("partial-\(UUID().uuidString)")
        store = try PackStore(root: folder, index: MemoryPackIndex())
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func content(_ count: Int) -> Data { Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }) }

    func testResumesAfterReopenAndStoresOnMatch() throws {
        let data = content(300_000)
        let id = ContentID.of(data)
        do {
            let first = try PartialBlob(store: store, id: id, expectedSize: Int64(data.count))
            try data.prefix(120_000).withUnsafeBytes { try first.append($0) }
        }   // closed, as after a crash
        store.removeStaleTemporaries()
        XCTAssertFalse(store.contains(id), "nothing partial under the blob's name")
        let second = try PartialBlob(store: store, id: id, expectedSize: Int64(data.count))
        XCTAssertEqual(second.length, 120_000, "the partial file survives the temporaries cleanup and is resumed")
        try data.suffix(from: 120_000).withUnsafeBytes { try second.append($0) }
        try second.complete()
        XCTAssertEqual(try store.get(id), data)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path + "/partial"), [])
        var streamed = Data()
        try store.read(id) { streamed.append(contentsOf: $0) }
        XCTAssertEqual(streamed, data)
    }

    func testUnwantedPartialsAreRemovedAndWantedOnesKept() throws {
        let wanted = content(50_000), unwanted = Data(content(60_000).reversed()), stored = Data(content(70_000).map { $0 ^ 0x5A })
        for data in [wanted, unwanted, stored] {
            let partial = try PartialBlob(store: store, id: ContentID.of(data), expectedSize: Int64(data.count))
            try data.prefix(10_000).withUnsafeBytes { try partial.append($0) }
        }
        let batch = try store.batch()
        _ = try batch.put(stored)
        try batch.commit()
        let removed = store.removeUnwantedPartials(keeping: [ContentID.of(wanted).hex, ContentID.of(stored).hex])
        XCTAssertEqual(removed, 2, "the partial nobody wants and the one already stored")
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path + "/partial")
        XCTAssertEqual(left, [ContentID.of(wanted).hex])
        XCTAssertTrue(store.contains(ContentID.of(stored)), "stored blobs are untouched")
    }

    func testMismatchIsDiscarded() throws {
        let data = content(50_000)
        let id = ContentID.of(data)
        var wrong = data
        wrong[100] ^= 1
        let partial = try PartialBlob(store: store, id: id, expectedSize: Int64(data.count))
        try wrong.withUnsafeBytes { try partial.append($0) }
        XCTAssertThrowsError(try partial.complete()) { error in
            XCTAssertTrue("\(error)".contains("does not match"), "\(error)")
        }
        XCTAssertFalse(store.contains(id))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path + "/partial"), [])
    }

    func testMoreBytesThanAnnouncedIsAnError() throws {
        let data = content(1_000)
        let partial = try PartialBlob(store: store, id: ContentID.of(data), expectedSize: 999)
        XCTAssertThrowsError(try data.withUnsafeBytes { try partial.append($0) }) { error in
            XCTAssertTrue("\(error)".contains("1000 bytes, not the 999"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path + "/partial"), [])
    }

    func testRestartDropsWhatWasReceived() throws {
        let data = content(10_000)
        let id = ContentID.of(data)
        let partial = try PartialBlob(store: store, id: id, expectedSize: Int64(data.count))
        try Data(repeating: 0, count: 4_000).withUnsafeBytes { try partial.append($0) }
        try partial.restart()
        XCTAssertEqual(partial.length, 0)
        try data.withUnsafeBytes { try partial.append($0) }
        try partial.complete()
        XCTAssertEqual(try store.get(id), data)
    }

    func testSealedBlobsArePublishedTogetherOrAfterARestart() throws {
        let a = content(5_000), b = content(7_000), c = content(9_000)
        var sealed: [PartialBlob] = []
        for data in [a, b] {
            let partial = try PartialBlob(store: store, id: ContentID.of(data), expectedSize: Int64(data.count))
            try data.withUnsafeBytes { try partial.append($0) }
            try partial.seal()
            sealed.append(partial)
        }
        XCTAssertFalse(store.contains(ContentID.of(a)), "sealed is not yet visible")
        try store.publish(sealed)
        XCTAssertEqual(try store.get(ContentID.of(a)), a)
        XCTAssertEqual(try store.get(ContentID.of(b)), b)

        // Sealed, then the process dies before publishing: the next open finds it complete.
        do {
            let partial = try PartialBlob(store: store, id: ContentID.of(c), expectedSize: Int64(c.count))
            try c.withUnsafeBytes { try partial.append($0) }
            try partial.seal()
        }
        let reopened = try PartialBlob(store: store, id: ContentID.of(c), expectedSize: Int64(c.count))
        XCTAssertTrue(reopened.isFull)
        try reopened.complete()
        XCTAssertEqual(try store.get(ContentID.of(c)), c)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path + "/partial"), [])
    }
}
