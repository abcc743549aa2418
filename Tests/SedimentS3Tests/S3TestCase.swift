import Foundation
import SedimentS3
import SedimentStore
import TestSupport
import XCTest

/// What the S3 tests share: a moto server per test, a bucket per store, local work folders.
class S3TestCase: XCTestCase {
    var moto: MotoServer!
    var proxies: [FaultProxy] = []
    var folders: [URL] = []
    static let secret = "s3cr3t-Key-never-shown/+Q"
    static let token = "session-TOKEN-never-shown-42"

    override func setUpWithError() throws {
        do {
            moto = try MotoServer()
        } catch {
            XCTFail("\(error)")
            throw error
        }
    }

    override func tearDownWithError() throws {
        for proxy in proxies { proxy.stop() }
        moto?.stop()
        for folder in folders { try? FileManager.default.removeItem(at: folder) }
    }

    /// Options small enough that the tests' blobs fill several packs and take both paths.
    static let testOptions = PackStore.Options(threshold: 64 << 10, packSize: 256 << 10, level: 3)

    /// Settings for a new bucket (created on moto) reached through `endpoint` (moto's when nil).
    func settings(endpoint: String? = nil, prefix: String = "archive/store", partSize: Int64 = 5 << 20) throws -> S3Settings {
        let bucket = "bucket-" + UUID().uuidString.lowercased().prefix(13)
        let credentials = S3Credentials(accessKeyID: "AKIDTESTING", secretAccessKey: Self.secret, sessionToken: Self.token, source: "the test")
        var settings = S3Settings(location: try S3Location(bucket: String(bucket), prefix: prefix), endpoint: moto.endpoint,
                                  region: "us-east-1", credentials: credentials)
        settings.partSize = partSize
        settings.http.retry = .init(maxAttempts: 5, baseDelay: 0.05, maxDelay: 0.5)
        settings.http.stallTimeout = 2
        try S3Client(settings: settings).createBucket()
        if let endpoint { settings.endpoint = endpoint }
        return settings
    }

    func workFolder() -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("s3work-\(UUID().uuidString)")
        folders.append(folder)
        return folder
    }

    func store(_ settings: S3Settings, index: any PackIndex = MemoryPackIndex(), options: PackStore.Options = S3TestCase.testOptions) throws -> S3BlobStore {
        try S3BlobStore(settings: settings, index: index, work: workFolder(), options: options)
    }

    func proxy(_ mode: String, count: Int? = nil, skip: Int = 0) throws -> FaultProxy {
        let proxy = try FaultProxy(upstream: moto.port, mode: mode, count: count, skip: skip)
        proxies.append(proxy)
        return proxy
    }

    func random(_ count: Int) -> Data {
        FileHandle(forReadingAtPath: "/dev/urandom")!.readData(ofLength: count)
    }
}
