import Foundation
import SedimentS3
import SedimentStore
import TestSupport
import XCTest

/// The S3 store behind a fault-injecting proxy (`Tests/Support/s3_fault_proxy.py`): what S3
/// does under load or on a bad network is retried; what cannot succeed fails with an error
/// naming the key, never a secret.
final class S3FaultTests: S3TestCase {
    /// Writes a pack and a large object (in parts) and archive files, then reads them back.
    func roundTrip(_ store: S3BlobStore) throws -> (small: ContentID, large: ContentID) {
        let small = random(3_000), large = random(6 << 20)
        let batch = try store.batch()
        let smallID = try batch.put(small)
        let largeID = try batch.put(large)
        try batch.commit()
        try store.putFile("records/visits/one.json", data: Data("{}".utf8))
        XCTAssertEqual(try store.get(smallID), small)
        XCTAssertEqual(try store.get(largeID), large)
        XCTAssertEqual(try store.file("records/visits/one.json"), Data("{}".utf8))
        return (smallID, largeID)
    }

    func testSlowDownIsRetried() throws {
        let proxy = try proxy("slowdown", count: 3)
        let store = try store(settings(endpoint: proxy.endpoint))
        _ = try roundTrip(store)
        // The first request (whether the large object is stored: a HEAD), refused three
        // times, was sent a fourth (and one more HEAD when the object is read back).
        XCTAssertEqual(store.client.requestCount("HeadObject"), 4 + 1)
    }

    func testConnectionDroppedMidUploadIsRetried() throws {
        // The pack's PUT dropped three times, then sent a fourth.
        let proxy = try proxy("drop-upload", count: 3)
        let store = try store(settings(endpoint: proxy.endpoint))
        let (small, large) = try roundTrip(store)
        XCTAssertEqual(store.client.requestCount("PutObject"), 4 + 1)
        XCTAssertEqual(store.client.requestCount("UploadPart"), 2)
        XCTAssertTrue(store.contains(small) && store.contains(large))
        XCTAssertEqual(try store.client.listMultipartUploads(prefix: ""), [])
    }

    /// A file sent in parts whose first part's connection drops twice mid-upload.
    func testConnectionDroppedMidPartIsRetried() throws {
        let proxy = try proxy("drop-upload", count: 2)
        let store = try store(settings(endpoint: proxy.endpoint))
        let path = workFolder().path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let data = random(11 << 20)
        try data.write(to: URL(fileURLWithPath: path + "/file"))
        try store.putFile("git/repo/x.pack", from: path + "/file")
        XCTAssertEqual(store.client.requestCount("UploadPart"), 3 + 2)
        let copy = path + "/copy"
        try store.copyFile("git/repo/x.pack", to: copy)
        XCTAssertEqual(FileManager.default.contents(atPath: copy), data)
        XCTAssertEqual(try store.client.listMultipartUploads(prefix: ""), [])
    }

    func testSlowBodyIsRead() throws {
        let proxy = try proxy("slow-body")
        let store = try store(settings(endpoint: proxy.endpoint))
        let batch = try store.batch()
        let data = random(200_000)
        let id = try batch.put(data)
        try batch.commit()
        XCTAssertEqual(try store.get(id), data)
    }

    /// A body that stops half-way (longer than the stall limit of 2 s) is asked for again.
    func testStalledBodyIsAskedAgain() throws {
        let proxy = try proxy("stall-once")
        let store = try store(settings(endpoint: proxy.endpoint))
        let data = random(300_000)
        let batch = try store.batch()
        let id = try batch.put(data)
        try batch.commit()
        XCTAssertEqual(try store.get(id), data)
        XCTAssertGreaterThanOrEqual(store.client.requestCount("GetObject"), 2)
    }

    /// Always 503: the write fails after the policy's attempts, naming the operation, the
    /// bucket and key, and S3's code; neither the secret key nor the token appear.
    func testAlwaysUnavailableFailsClearly() throws {
        let proxy = try proxy("always503")
        let settings = try settings(endpoint: proxy.endpoint)
        let store = try store(settings)
        do {
            try store.putFile("records/visits/x.json", data: Data("{}".utf8))
            XCTFail("a write through a server that always refuses succeeded")
        } catch let error as S3Error {
            let text = "\(error)"
            XCTAssertTrue(text.contains("PutObject") && text.contains("s3://\(settings.location.bucket)/archive/store/records/visits/x.json"), text)
            XCTAssertTrue(text.contains("503") && text.contains("SlowDown") && text.contains("after 5 attempts"), text)
            XCTAssertTrue(error.isTransient)
            XCTAssertFalse(text.contains(Self.secret) || text.contains(Self.token), text)
            XCTAssertFalse(String(reflecting: error).contains(Self.secret), "the secret key is in the error's fields")
        }
    }

    /// Every connection dropped: a read fails naming the key; no secret in the text.
    func testAlwaysDroppedFailsClearly() throws {
        let settings = try settings()
        let store = try store(settings)
        let batch = try store.batch()
        let id = try batch.put(random(2_000))
        try batch.commit()
        let proxy = try proxy("drop-always")
        var broken = settings
        broken.endpoint = proxy.endpoint
        let unreachable = try S3BlobStore(settings: broken, index: store.index, work: workFolder(), options: Self.testOptions)
        do {
            _ = try unreachable.get(id)
            XCTFail("a read through a server that drops every connection succeeded")
        } catch let error as S3Error {
            let text = "\(error)"
            XCTAssertTrue(text.contains("GetObject") && text.contains("/archive/store/packs/"), text)
            XCTAssertFalse(text.contains(Self.secret) || text.contains(Self.token), text)
            XCTAssertEqual(unreachable.client.requestCount, 5)
        }
    }
}
