import Foundation
import SedimentS3
import SedimentStore
import TestSupport
import XCTest

/// Multipart uploads that outlive a crash: resumed from the parts S3 holds, or aborted.
final class S3MultipartTests: S3TestCase {
    /// A 16 MiB object whose upload stopped after two of its four parts (as a crash leaves it:
    /// the upload open, two parts stored) is resumed by the next store: ListParts finds them,
    /// only the two missing parts are sent, and the object reads back intact.
    func testInterruptedUploadResumes() throws {
        let settings = try settings()
        let data = random(16 << 20 + 1_000)
        let id = ContentID.of(data)
        let path = workFolder().path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let file = path + "/object"
        try data.write(to: URL(fileURLWithPath: file))

        let first = try store(settings)
        let key = first.objectKey(id)
        let uploadID = try first.client.createMultipartUpload(key)
        for number in 1...2 {
            let part = data.subdata(in: (number - 1) * (5 << 20)..<number * (5 << 20))
            try part.write(to: URL(fileURLWithPath: file + ".part"))
            _ = try first.client.uploadPart(key, uploadID: uploadID, number: number, file: file + ".part", offset: 0,
                                            length: Int64(part.count), sha256: ContentID.of(part).hex)
        }
        XCTAssertFalse(first.contains(id))

        let second = try store(settings)
        let write = try second.resumableWrite(of: id, size: Int64(data.count))
        try data.withUnsafeBytes { try write.append($0) }
        try write.complete()
        XCTAssertEqual(second.client.requestCount("ListMultipartUploads"), 1)
        XCTAssertEqual(second.client.requestCount("ListParts"), 1)
        XCTAssertEqual(second.client.requestCount("CreateMultipartUpload"), 0)
        XCTAssertEqual(second.client.requestCount("UploadPart"), 2, "parts already uploaded were sent again")
        XCTAssertEqual(try second.get(id), data)
        XCTAssertEqual(try second.client.listMultipartUploads(prefix: ""), [])
        XCTAssertEqual(second.removeUnwantedPartials(keeping: []), 0, "a published write left a partial file")
    }

    /// The store's own upload, cut off after its first part (the second part's connection drops
    /// on every attempt), fails with a transient error and leaves the upload open; the next
    /// store to send the file resumes it, sending only the parts after the first.
    func testUploadCutOffByTheNetworkResumes() throws {
        let settings = try settings()
        let path = workFolder().path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let data = random(16 << 20 + 10)
        try data.write(to: URL(fileURLWithPath: path + "/file"))
        let proxy = try proxy("drop-upload", count: 100, skip: 1)
        var cut = settings
        cut.endpoint = proxy.endpoint
        let first = try store(cut)
        do {
            try first.putFile("git/repo/big.pack", from: path + "/file")
            XCTFail("an upload whose parts never arrive succeeded")
        } catch let error as S3Error {
            XCTAssertTrue(error.isTransient, "\(error)")
            XCTAssertTrue("\(error)".contains("UploadPart of s3://\(settings.location.bucket)/archive/store/git/repo/big.pack"), "\(error)")
        }
        XCTAssertEqual(first.client.requestCount("UploadPart"), 1 + 5)
        XCTAssertEqual(first.client.requestCount("AbortMultipartUpload"), 0)
        XCTAssertEqual(try first.client.listMultipartUploads(prefix: "").count, 1)

        let second = try store(settings)
        try second.putFile("git/repo/big.pack", from: path + "/file")
        XCTAssertEqual(second.client.requestCount("ListParts"), 1)
        XCTAssertEqual(second.client.requestCount("UploadPart"), 3, "the part already uploaded was sent again")
        XCTAssertEqual(try second.client.listMultipartUploads(prefix: ""), [])
        try second.copyFile("git/repo/big.pack", to: path + "/copy")
        XCTAssertEqual(FileManager.default.contents(atPath: path + "/copy"), data)
    }

    /// An upload of an object nobody waits for any more is aborted when unwanted partials are
    /// removed (its parts deleted); one still wanted is kept, to resume.
    func testUnwantedUploadIsAborted() throws {
        let store = try store(settings())
        let wanted = ContentID.of(Data("wanted".utf8)), unwanted = ContentID.of(Data("unwanted".utf8))
        for id in [wanted, unwanted] { _ = try store.client.createMultipartUpload(store.objectKey(id)) }
        XCTAssertEqual(store.removeUnwantedPartials(keeping: [wanted.hex]), 1)
        XCTAssertEqual(try store.client.listMultipartUploads(prefix: "").map(\.key), [store.objectKey(wanted)])
    }

    /// An upload that fails for good (the server refuses its parts: 400 BadDigest) is
    /// aborted, so no upload is left; the error names the operation and the key.
    func testPermanentFailureAborts() throws {
        let proxy = try proxy("refuse-parts")
        let store = try store(settings(endpoint: proxy.endpoint))
        let path = workFolder().path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let file = path + "/object"
        try random(11 << 20).write(to: URL(fileURLWithPath: file))
        let key = store.location.key("git/repo/x.pack")
        XCTAssertThrowsError(try store.putFile("git/repo/x.pack", from: file)) { error in
            XCTAssertTrue("\(error)".contains("UploadPart") && "\(error)".contains(key) && "\(error)".contains("BadDigest"), "\(error)")
        }
        XCTAssertEqual(store.client.requestCount("UploadPart"), 1, "a refused part was sent again")
        XCTAssertEqual(store.client.requestCount("AbortMultipartUpload"), 1)
        XCTAssertEqual(try store.client.listMultipartUploads(prefix: ""), [])
        XCTAssertNil(try store.client.headObject(key))
    }
}
