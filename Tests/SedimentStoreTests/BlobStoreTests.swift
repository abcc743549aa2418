import Foundation
import SedimentStore
import XCTest

final class BlobStoreTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("blobs-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    func testPutCommitGet() throws {
        let store = try LocalBlobStore(root: root)
        let data = Data("hello blob store\n".utf8)
        let batch = try store.batch()
        let id = try batch.put(data)
        XCTAssertEqual(id, ContentID.of(data))
        XCTAssertFalse(store.contains(id), "staged content is not visible before commit")
        try batch.commit()
        XCTAssertTrue(store.contains(id))
        XCTAssertEqual(try store.get(id), data)
        // Sharded path, read-only file.
        let path = store.path(of: id)
        XCTAssertEqual(path, root.path + "/\(id.hex.prefix(2))/\(id.hex)")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o444)
        XCTAssertEqual(try store.allIDs(), [id])
    }

    /// A file under the content's name but of another size is not taken as the content: the
    /// next write of that content replaces it.
    func testAFileOfAnotherSizeUnderTheNameIsNotTakenAsTheContent() throws {
        let store = try LocalBlobStore(root: root)
        let data = Data("sixteen bytes!!\n".utf8)
        let first = try store.batch()
        let id = try first.put(data)
        try first.commit()
        XCTAssertEqual(store.size(of: id), 16)
        XCTAssertTrue(store.contains(id, size: 16))
        XCTAssertFalse(store.contains(id, size: 999_999_999_999), "the hash alone does not prove a claimed size")
        // The file is cut short (a damaged disk, an interrupted copy).
        let path = store.path(of: id)
        chmod(path, 0o644)
        XCTAssertEqual(truncate(path, 5), 0)
        let again = try store.batch()
        try again.put(data)
        try again.commit()
        XCTAssertEqual(try store.get(id), data, "the write was not skipped as a duplicate")
        XCTAssertNil(store.size(of: ContentID.of(Data("absent".utf8))))
    }

    func testDiscardLeavesNothing() throws {
        let store = try LocalBlobStore(root: root)
        let batch = try store.batch()
        let id = try batch.put(Data("never committed".utf8))
        batch.discard()
        XCTAssertFalse(store.contains(id))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path + "/tmp"), [])
    }

    func testRepeatedPutIsANoOp() throws {
        let store = try LocalBlobStore(root: root)
        let data = Data("same".utf8)
        let first = try store.batch()
        try first.put(data)
        try first.commit()
        let second = try store.batch()
        try second.put(data)
        try second.commit()
        XCTAssertEqual(try store.allIDs().count, 1)
    }

    func testDamagedContentIsDetectedOnRead() throws {
        let store = try LocalBlobStore(root: root)
        let batch = try store.batch()
        let id = try batch.put(Data("original".utf8))
        try batch.commit()
        let path = store.path(of: id)
        chmod(path, 0o644)
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try store.get(id)) { error in
            XCTAssertTrue("\(error)".contains("damaged"), "\(error)")
        }
        XCTAssertThrowsError(try store.get(ContentID.of(Data("absent".utf8)))) { error in
            XCTAssertTrue("\(error)".contains("not in the blob store"), "\(error)")
        }
    }
}
