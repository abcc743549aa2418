import Foundation
import SedimentS3
import SedimentStore
import TestSupport
import XCTest

/// The archive with its store in a bucket (`[storage] store = "s3://…"`), against moto's S3
/// server on 127.0.0.1: `sync`, `show` and `verify` work, and a `sync` SIGKILLed in the middle
/// of an upload (a pack's PUT, a part of a multipart upload) loses nothing: the next `sync`
/// completes, `verify` is clean, and the archive equals one written without interruption.
final class S3ArchiveTests: XCTestCase {
    var moto: MotoServer!
    var proxies: [FaultProxy] = []
    let bucket = "archive"
    let credentials = ["AWS_ACCESS_KEY_ID": "AKIATESTSEDIMENT", "AWS_SECRET_ACCESS_KEY": "never-shown-s3cr3t",
                       "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_ENDPOINT_URL": ""]

    override func setUpWithError() throws {
        moto = try MotoServer()
        try client().createBucket()
    }

    override func tearDownWithError() throws {
        for proxy in proxies { proxy.stop() }
        moto?.stop()
    }

    func client() throws -> S3Client {
        S3Client(settings: S3Settings(location: try S3Location(bucket: bucket, prefix: "sediment"), endpoint: moto.endpoint, region: "us-east-1",
                                      credentials: S3Credentials(accessKeyID: "AKIATESTSEDIMENT", secretAccessKey: "never-shown-s3cr3t")))
    }

    /// The keys under the store's prefix.
    func keys() throws -> [String] {
        var keys: [String] = []
        try client().listObjects(prefix: "sediment/") { keys.append($0.key) }
        return keys
    }

    func configure(_ ws: Workspace, _ repositories: [String], endpoint: String, extra: String = "") throws {
        try ws.configure(repositories, blobMaxBytes: 64 << 20, storage: """
            store = "s3://\(bucket)/sediment"
            endpoint = "\(endpoint)"
            region = "us-east-1"
            \(extra)
            """)
    }

    func sediment(_ ws: Workspace, _ arguments: [String]) throws -> ProcessResult {
        try ws.sediment(arguments, environment: credentials)
    }

    /// The archive's commits, changes and snapshot heads, as the catalog lists them.
    func contents(_ ws: Workspace) throws -> [String: [[String?]]] {
        [
            "commits": try ws.catalogRows("select id, tree from git_commit order by id"),
            "changes": try ws.catalogRows("select count(*) from commit_change"),
            "blobs": try ws.catalogRows("select git_blob, sha256, stored from blob order by git_blob"),
            "snapshots": try ws.catalogRows("select head from snapshot order by head"),
        ]
    }

    func testSyncShowAndVerifyWithTheStoreInABucket() throws {
        let ws = try Workspace()
        let repo = try ws.newRepository("org/model")
        for file in 0..<40 { try ws.write("dir/file-\(file).txt", Workspace.bytes(2000 + file, seed: UInt64(file)), in: repo) }
        try ws.write("weights.bin", Workspace.bytes(5 << 20, seed: 99), in: repo)
        try ws.commitAll("first", in: repo)
        try configure(ws, [repo], endpoint: moto.endpoint)
        let sync = try sediment(ws, ["sync"])
        XCTAssertEqual(sync.status, 0, sync.out + sync.stderr)
        let stored = try keys()
        XCTAssertTrue(stored.contains { $0.hasPrefix("sediment/packs/") && $0.hasSuffix(".pack") }, "no pack in the bucket: \(stored)")
        XCTAssertTrue(stored.contains { $0.hasPrefix("sediment/objects/") }, "the 5 MiB file is not an object of its own: \(stored)")
        // The local storage folder keeps no blob: only work folders.
        let local = (FileManager.default.enumerator(atPath: ws.store + "/blobs")?.allObjects as? [String] ?? [])
            .filter { name in (try? FileManager.default.attributesOfItem(atPath: ws.store + "/blobs/" + name)[.type] as? FileAttributeType) == .typeRegular }
        XCTAssertEqual(local, [], "blobs were written to the local folder")

        let package = try XCTUnwrap(ws.catalogRows("select hub || ':' || package_id from package").first?.first ?? nil)
        let show = try sediment(ws, ["show", package, "dir/file-7.txt"])
        XCTAssertEqual(show.status, 0, show.stderr)
        XCTAssertEqual(show.stdout, Workspace.bytes(2007, seed: 7))
        let weights = try sediment(ws, ["show", package, "weights.bin"])
        XCTAssertEqual(weights.stdout, Workspace.bytes(5 << 20, seed: 99), "the large object read back differs")
        let verify = try sediment(ws, ["verify"])
        XCTAssertEqual(verify.status, 0, verify.out + verify.stderr)
        XCTAssertFalse((sync.out + sync.stderr + verify.out + verify.stderr).contains("never-shown-s3cr3t"))

        // Without credentials, what reads only the catalog still answers; what reads the store
        // says why it cannot.
        let none = ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
                    "AWS_SHARED_CREDENTIALS_FILE": ws.root + "/no-credentials", "AWS_CONFIG_FILE": ws.root + "/no-config",
                    "CREDENTIALS_DIRECTORY": ""]
        for command in [["packages"], ["log", package], ["snapshots", package]] {
            let result = try ws.sediment(command, environment: none)
            XCTAssertEqual(result.status, 0, "\(command): \(result.stderr)")
        }
        let denied = try ws.sediment(["show", package, "dir/file-7.txt"], environment: none)
        XCTAssertNotEqual(denied.status, 0)
        XCTAssertTrue(denied.stderr.contains("no credentials found"), denied.stderr)
    }

    func testSyncKilledDuringAMultipartUploadLosesNothing() throws {
        // 40 MiB: three parts of 16 MiB; the second part's upload is held, then the process killed.
        try killedDuringUpload(match: "partNumber=2", files: { ws, repo in
            try ws.write("model.safetensors", Workspace.bytes(40 << 20, seed: 4), in: repo)
            try ws.write("README.md", "a model\n", in: repo)
        })
    }

    func testSyncKilledDuringAPackUploadLosesNothing() throws {
        try killedDuringUpload(match: "/packs/", files: { ws, repo in
            for file in 0..<300 { try ws.write("dir-\(file % 7)/file-\(file).txt", Workspace.bytes(3000 + file, seed: UInt64(file)), in: repo) }
        })
    }

    /// Syncs through a proxy that holds the first upload whose request line contains `match`
    /// half-way, SIGKILLs `sync` there, then syncs again straight to the S3 server.
    func killedDuringUpload(match: String, files: (Workspace, String) throws -> Void) throws {
        let ws = try Workspace()
        let repo = try ws.newRepository("org/killed")
        try files(ws, repo)
        try ws.commitAll("first", in: repo)
        let held = ws.root + "/held"
        let proxy = try FaultProxy(upstream: moto.port, mode: "hold-upload", extra: ["--match", match, "--hold-file", held])
        proxies.append(proxy)
        try configure(ws, [repo], endpoint: proxy.endpoint)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Shell.sedimentBinary)
        process.arguments = ["sync", "--config", ws.configPath]
        process.environment = ProcessInfo.processInfo.environment.merging(credentials) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline && process.isRunning && ((try? String(contentsOfFile: held, encoding: .utf8)) ?? "").isEmpty {
            usleep(50_000)
        }
        let heldLine = (try? String(contentsOfFile: held, encoding: .utf8)) ?? ""
        XCTAssertTrue(process.isRunning, "sync ended before the upload was held")
        XCTAssertTrue(heldLine.contains(match), "no upload was held: \(heldLine)")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        try configure(ws, [repo], endpoint: moto.endpoint)
        let again = try sediment(ws, ["sync"])
        XCTAssertEqual(again.status, 0, again.out + again.stderr)
        let verify = try sediment(ws, ["verify"])
        XCTAssertEqual(verify.status, 0, verify.out + verify.stderr)
        XCTAssertEqual(try client().listMultipartUploads(prefix: "sediment/"), [], "an interrupted upload was left open")

        // The reference: the same repository archived without interruption, on a local disk.
        let reference = try Workspace()
        try reference.configure([repo], blobMaxBytes: 64 << 20)
        XCTAssertEqual(try reference.sediment(["sync"]).status, 0)
        XCTAssertEqual(try contents(ws), try contents(reference))
    }

    /// `sediment daemon` with its store in the bucket: it crawls, records what it found there
    /// (packs, visit records, git packs), stops on SIGTERM, and the archive verifies clean.
    func testTheDaemonArchivesIntoTheBucket() throws {
        let ws = try Workspace()
        try ws.publishModels(["org/alpha", "org/beta"], files: ["config.json": "{\"model_type\": \"bert\"}\n"])
        let git = try GitDaemon(root: ws.served, home: ws.home)
        try configure(ws, [git.url("org/alpha.git"), git.url("org/beta.git")], endpoint: moto.endpoint)
        try String(contentsOfFile: ws.configPath, encoding: .utf8)
            .replacingOccurrences(of: "[daemon]\n", with: "[daemon]\nlisten = \"127.0.0.1:0\"\ninterval = \"1h\"\n")
            .write(toFile: ws.configPath, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(config: ws.configPath, cwd: ws.root, logPath: ws.root + "/daemon.log", environment: credentials)
        let crawled = DaemonProcess.poll(timeout: 120) {
            (try? ws.catalogRows("select count(*) from snapshot").first?.first ?? nil) == "2"
        }
        XCTAssertTrue(crawled, daemon.log)
        XCTAssertEqual(daemon.stop(SIGTERM, timeout: 90), 0, daemon.log)
        let stored = try keys()
        XCTAssertTrue(stored.contains { $0.hasPrefix("sediment/packs/") }, "\(stored)")
        XCTAssertEqual(stored.filter { $0.hasPrefix("sediment/records/visits/") }.count, 2, "\(stored)")
        XCTAssertEqual(stored.filter { $0.hasPrefix("sediment/git/") }.count, 2, "\(stored)")
        let verify = try sediment(ws, ["verify"])
        XCTAssertEqual(verify.status, 0, verify.out + verify.stderr)
        XCTAssertFalse(daemon.log.contains("never-shown-s3cr3t"))
    }
}
