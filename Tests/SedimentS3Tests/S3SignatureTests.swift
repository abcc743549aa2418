import Foundation
import SedimentHTTP
import SedimentS3
import SedimentStore
import TestSupport
import XCTest

/// Requests as libcurl signs them, checked by a server that verifies signatures: moto with
/// IAM enforced (after the first three actions, which make a user, its key and its policy).
/// (moto's verifier disagrees with AWS's own CLI on query values holding an encoded `/`, so
/// the keys here are checked through calls whose queries have none.)
final class S3SignatureTests: XCTestCase {
    var moto: MotoServer!
    var folders: [URL] = []

    override func setUpWithError() throws {
        do {
            moto = try MotoServer(environment: ["INITIAL_NO_AUTH_ACTION_COUNT": "3"])
        } catch {
            XCTFail("\(error)")
            throw error
        }
    }

    override func tearDownWithError() throws {
        moto?.stop()
        for folder in folders { try? FileManager.default.removeItem(at: folder) }
    }

    /// One IAM action (unauthenticated while moto's count lasts; signed only so that moto
    /// routes it to IAM); returns the answer's text.
    func iam(_ parameters: String) throws -> String {
        var request = HTTPRequest(method: "POST", url: moto.endpoint + "/", body: Data((parameters + "&Version=2010-05-08").utf8))
        request.headers.set("Content-Type", "application/x-www-form-urlencoded")
        request.sign(with: AWSSigning(region: "us-east-1", service: "iam", accessKeyID: "AKIDBOOTSTRAP", secretAccessKey: "bootstrap"))
        let response = try HTTPClient().send(request)
        let text = String(decoding: response.body, as: UTF8.self)
        XCTAssertEqual(response.status, 200, text)
        return text
    }

    static func element(_ name: String, in text: String) -> String? {
        guard let start = text.range(of: "<\(name)>"), let end = text.range(of: "</\(name)>", range: start.upperBound..<text.endIndex) else { return nil }
        return String(text[start.upperBound..<end.lowerBound])
    }

    func testSignedRequestsAreAccepted() throws {
        _ = try iam("Action=CreateUser&UserName=archivist")
        let key = try iam("Action=CreateAccessKey&UserName=archivist")
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#
        _ = try iam("Action=PutUserPolicy&UserName=archivist&PolicyName=all&PolicyDocument="
                    + policy.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        let credentials = S3Credentials(accessKeyID: try XCTUnwrap(Self.element("AccessKeyId", in: key)),
                                        secretAccessKey: try XCTUnwrap(Self.element("SecretAccessKey", in: key)))
        var settings = S3Settings(location: try S3Location(bucket: "signed-bucket"), endpoint: moto.endpoint, region: "us-east-1",
                                  credentials: credentials)
        settings.partSize = 5 << 20
        settings.http.retry = .init(maxAttempts: 1)
        let client = S3Client(settings: settings)
        try client.createBucket()
        // A body from memory, a body from a file (one PUT, and parts), ranged and whole reads.
        try client.putObject("records/a.json", data: Data("{\"a\":1}".utf8))
        XCTAssertEqual(try client.getObject("records/a.json", range: 1..<4), Data("\"a\"".utf8))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("signed-\(UUID().uuidString)")
        folders.append(folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let data = FileHandle(forReadingAtPath: "/dev/urandom")!.readData(ofLength: 7 << 20)
        try data.write(to: folder.appendingPathComponent("object"))
        let path = folder.appendingPathComponent("object").path
        try client.putObject("objects/ab/one", file: path, length: 1_000, sha256: ContentID.of(data.prefix(1_000)).hex)
        XCTAssertEqual(try client.headObject("objects/ab/one"), 1_000)
        let upload = try client.createMultipartUpload("objects/ab/two")
        let first = try client.uploadPart("objects/ab/two", uploadID: upload, number: 1, file: path, offset: 0, length: 5 << 20,
                                          sha256: ContentID.of(data.prefix(5 << 20)).hex)
        let second = try client.uploadPart("objects/ab/two", uploadID: upload, number: 2, file: path, offset: 5 << 20,
                                           length: Int64(data.count - (5 << 20)), sha256: ContentID.of(data.suffix(from: 5 << 20)).hex)
        XCTAssertEqual(try client.listParts("objects/ab/two", uploadID: upload).map(\.number), [1, 2])
        try client.completeMultipartUpload("objects/ab/two", uploadID: upload, parts: [(1, first), (2, second)])
        var streamed = Data()
        XCTAssertTrue(try client.streamObject("objects/ab/two") { streamed.append(contentsOf: $0) })
        XCTAssertEqual(streamed, data)
        var keys: [String] = []
        try client.listObjects(prefix: "", maxKeys: 2) { keys.append($0.key) }
        XCTAssertEqual(keys, ["objects/ab/one", "objects/ab/two", "records/a.json"])

        // The same requests with another secret are refused, and the error does not show it.
        var forged = settings
        forged.credentials.secretAccessKey = "not-the-secret-key-1234"
        do {
            try S3Client(settings: forged).putObject("records/b.json", data: Data("{}".utf8))
            XCTFail("a request signed with the wrong key was accepted")
        } catch let error as S3Error {
            XCTAssertEqual(error.status, 403)
            XCTAssertEqual(error.code, "SignatureDoesNotMatch")
            XCTAssertFalse(error.isTransient)
            XCTAssertTrue("\(error)".contains("PutObject of s3://signed-bucket/records/b.json"), "\(error)")
            XCTAssertFalse("\(error)".contains("not-the-secret-key-1234"), "\(error)")
        }
    }
}
