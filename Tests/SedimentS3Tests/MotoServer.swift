import Foundation
import SedimentS3
import SedimentStore
import TestSupport
import XCTest

/// Errors of the test servers.
struct ServerStartFailure: Error, CustomStringConvertible {
    let description: String
}

/// `moto_server` (moto's standalone S3 imitation, from PyPI) on a free loopback port, stopped
/// by its pid in `stop()`.
final class MotoServer {
    let port: Int
    private let process: Process
    private var stopped = false
    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Where `moto_server` is: on the PATH, or pyenv's shims.
    static func executable() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/root/.pyenv/shims", "/usr/local/bin"]
        return folders.map { $0 + "/moto_server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts the server (with `environment` added to this process's) and waits (30 s at
    /// most) until it answers.
    init(environment: [String: String] = [:]) throws {
        guard let executable = Self.executable() else {
            throw ServerStartFailure(description: "moto_server is not installed (it is moto's standalone server, from PyPI): `make deps` installs it")
        }
        port = try Self.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if Self.answers(port) { return }
            guard process.isRunning else { break }
            usleep(100_000)
        }
        stop()
        throw ServerStartFailure(description: "moto_server did not answer on 127.0.0.1:\(port) within 30 s")
    }

    func stop() {
        guard !stopped else { return }
        stopped = true
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    deinit { stop() }

    /// A port the system had free a moment ago.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ServerStartFailure(description: "no free loopback port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts connections on the port.
    static func answers(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// `Tests/Support/s3_fault_proxy.py` in front of a moto server, in one of its modes.
final class FaultProxy {
    private let script: LoopbackScript
    var endpoint: String { "http://127.0.0.1:\(script.port)" }

    init(upstream: Int, mode: String, count: Int? = nil, skip: Int = 0) throws {
        script = try LoopbackScript("s3_fault_proxy.py", arguments: ["--upstream", String(upstream), "--mode", mode, "--skip", String(skip)]
            + (count.map { ["--count", String($0)] } ?? []))
    }

    func stop() {
        script.stop()
    }
}

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
