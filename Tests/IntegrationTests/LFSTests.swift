import Foundation
import SedimentStore
import XCTest

/// `lfs = "fetch"` end to end against the fixture hub's LFS endpoint: objects downloaded,
/// checked and stored once; wrong content rejected and retried later; expired actions
/// refreshed; missing objects pending; interrupted downloads resumed with `Range`; the
/// policy respected; a kill mid-download leaving nothing partial in the blob store.
final class LFSTests: XCTestCase {
    var ws: Workspace!
    var hub: FixtureHub!
    var hubRoot: String { ws.root + "/hub" }
    var models: [[String: Any]] = []

    override func setUpWithError() throws {
        ws = try Workspace()
        try FileManager.default.createDirectory(atPath: hubRoot + "/lfs", withIntermediateDirectories: true)
        hub = try FixtureHub(root: hubRoot, home: ws.home, scratch: ws.root)
    }

    override func tearDownWithError() throws {
        hub = nil
        ws = nil
    }

    /// An object's content and oid.
    struct Object {
        var data: Data
        var oid: String { ContentID.of(data).hex }
        init(_ count: Int, seed: UInt64) { data = Workspace.bytes(count, seed: seed) }
    }

    /// A model whose `files` are LFS pointers to the objects; `serve` puts the objects on the hub.
    func addModel(_ id: String, _ files: [(String, Object)], serve: Bool = true, extra: [(String, String)] = []) throws {
        let work = try ws.newRepository("hf/" + id)
        try ws.write("README.md", "# \(id)\n", in: work)
        for (path, text) in extra { try ws.write(path, text, in: work) }
        try ws.write(".gitattributes", "*.safetensors filter=lfs diff=lfs merge=lfs -text\n*.bin filter=lfs diff=lfs merge=lfs -text\n", in: work)
        for (path, object) in files {
            try ws.write(path, "version https://git-lfs.github.com/spec/v1\noid sha256:\(object.oid)\nsize \(object.data.count)\n", in: work)
            if serve { try object.data.write(to: URL(fileURLWithPath: hubRoot + "/lfs/" + object.oid)) }
        }
        try ws.commitAll("upload", in: work)
        try ws.publish(work, toBare: hubRoot + "/" + id + ".git")
        models.append(["id": id, "downloads": 1])
        try hub.setModels(models)
    }

    func configure(_ storage: String = "", hub hubExtra: String = "") throws {
        try """
            [storage]
            path = "\(ws.store)"
            lfs = "fetch"
            \(storage)

            [daemon]
            concurrency = 2

            \(ConfigText.quickRetries)

            \(ConfigText.huggingFaceHub(hub.endpoint))
            \(hubExtra)
            """.write(toFile: ws.configPath, atomically: true, encoding: .utf8)
    }

    /// Rows of a query on the catalog, each as its columns joined by "|".
    func sql(_ query: String) throws -> [String] {
        try ws.catalogRows(query).map { $0.map { $0 ?? "" }.joined(separator: "|") }
    }

    func partials() throws -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: ws.store + "/blobs/partial")) ?? []
    }

    func sync(file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        let result = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(result.status, 0, "an LFS problem never fails a visit: \(result.out)\(result.stderr)", file: file, line: line)
        return result
    }

    func testObjectsAreDownloadedCheckedStoredOnceAndShown() throws {
        let weights = Object(300_000, seed: 1), shared = Object(1_500_000, seed: 2), tiny = Object(10, seed: 3)
        try addModel("acme/alpha", [("model.safetensors", weights), ("shared/tokenizer.bin", shared), ("tiny.bin", tiny)])
        try addModel("acme/beta", [("pytorch_model.bin", shared)])
        try configure()
        let first = try sync()
        for object in [weights, shared, tiny] {
            XCTAssertEqual(try ws.storedSHA(object.oid), object.oid, "stored under its oid, content intact")
        }
        var stats = try hub.lfsStats()
        XCTAssertEqual(stats.gets[shared.oid], 1, "the oid two packages share is downloaded once")
        XCTAssertEqual(stats.gets[weights.oid], 1)
        XCTAssertEqual(stats.unauthorizedGets, 0, "every GET carries the action's header")
        let stored = first.jsonLines.reduce(0) { $0 + ($1["lfs_stored"] as? Int ?? 0) }
        XCTAssertEqual(stored, 3, "three distinct objects, each stored by one visit: \(first.out)")
        XCTAssertEqual(try partials(), [])
        XCTAssertEqual(Set(try sql("SELECT oid, size FROM lfs_object")),
                       Set([weights, shared, tiny].map { "\($0.oid)|\($0.data.count)" }))
        XCTAssertEqual(try sql("SELECT COUNT(*) FROM lfs_pending"), ["0"])

        // show prints the object's content, not the pointer.
        let show = try ws.sediment(["show", "hf:acme/beta", "pytorch_model.bin"])
        XCTAssertEqual(show.status, 0, show.stderr)
        XCTAssertEqual(show.stdout, shared.data)
        let json = try ws.sediment(["show", "hf:acme/alpha", "--json"]).jsonLines
        XCTAssertEqual(json.first { $0["path"] as? String == "model.safetensors" }?["lfs_stored"] as? Bool, true)

        let status = try ws.sediment(["status", "--json"]).jsonLines.first ?? [:]
        XCTAssertEqual(status["lfs_objects_stored"] as? Int, 3)
        XCTAssertEqual(status["lfs_bytes_stored"] as? Int, 300_000 + 1_500_000 + 10)
        XCTAssertEqual(status["lfs_objects_pending"] as? Int, 0)

        // Nothing is downloaded again; verify re-hashes the objects and finds damage.
        try hub.resetStats()
        _ = try sync()
        stats = try hub.lfsStats()
        XCTAssertEqual(stats.gets, [:], "stored objects are never downloaded again")
        XCTAssertEqual(try ws.sediment(["verify"]).status, 0)
        try ws.damageBlob(weights.oid, at: Int64(weights.data.count / 2))
        let verify = try ws.sediment(["verify"])
        XCTAssertEqual(verify.status, 3, verify.out)
        XCTAssertTrue(verify.out.contains(weights.oid) && verify.out.contains("model.safetensors"), verify.out)
    }

    func testWrongContentIsRejectedAndRetriedLater() throws {
        let weights = Object(200_000, seed: 7)
        try addModel("acme/gamma", [("model.safetensors", weights)])
        try configure()
        try hub.injectLFS([(weights.oid, "wrong-content", 1)])
        let first = try sync()
        XCTAssertNil(try ws.storedSHA(weights.oid), "content that does not match its oid is not stored")
        XCTAssertEqual(try partials(), [], "and not kept")
        let pending = try sql("SELECT oid, attempts, reason FROM lfs_pending")
        XCTAssertEqual(pending.count, 1)
        XCTAssertTrue(pending.first?.hasPrefix("\(weights.oid)|1|") == true && pending.first?.contains("does not match") == true, "\(pending)")
        XCTAssertTrue(first.stderr.contains("does not match"), "the problem is reported: \(first.stderr)")
        let show = try ws.sediment(["show", "hf:acme/gamma", "model.safetensors"])
        XCTAssertEqual(show.status, 1)
        XCTAssertTrue(show.stderr.contains("pending"), show.stderr)
        XCTAssertEqual((try ws.sediment(["status", "--json"]).jsonLines.first ?? [:])["lfs_objects_pending"] as? Int, 1)

        // The next visit (git skipped: the head is unchanged) tries again and succeeds.
        let second = try sync()
        XCTAssertEqual(second.jsonLines.first?["skipped_git"] as? Bool, true)
        XCTAssertEqual(try ws.storedSHA(weights.oid), weights.oid)
        XCTAssertEqual(try sql("SELECT COUNT(*) FROM lfs_pending"), ["0"])
        XCTAssertEqual(try hub.lfsStats().gets[weights.oid], 2)
    }

    func testExpiredActionsAreRefreshed() throws {
        let a = Object(50_000, seed: 11), b = Object(60_000, seed: 12)
        try addModel("acme/delta", [("a.safetensors", a), ("b.safetensors", b)])
        try configure()
        try hub.injectLFS([(a.oid, "expired", 1), (b.oid, "expired-at", 1)])
        // And the first batch request answers 503: retried as any API request.
        try hub.inject([["path_prefix": "/acme/delta.git/info/lfs", "status": 503, "times": 1]])
        _ = try sync()
        XCTAssertEqual(try ws.storedSHA(a.oid), a.oid)
        XCTAssertEqual(try ws.storedSHA(b.oid), b.oid)
        let stats = try hub.lfsStats()
        XCTAssertEqual(stats.expiredGets, 0, "an expired action is refreshed, never followed")
        XCTAssertEqual(stats.batches, 3, "one batch for both objects, one refresh each (the 503 is not counted)")
    }

    func testMissingObjectIsRecordedAsPendingThenFetched() throws {
        let present = Object(30_000, seed: 21), missing = Object(40_000, seed: 22)
        try addModel("acme/epsilon", [("present.bin", present), ("missing.bin", missing)])
        try FileManager.default.removeItem(atPath: hubRoot + "/lfs/" + missing.oid)
        try configure()
        _ = try sync()
        XCTAssertEqual(try ws.storedSHA(present.oid), present.oid, "one missing object does not stop the others")
        let pending = try sql("SELECT oid, size, path, attempts, reason FROM lfs_pending")
        XCTAssertEqual(pending.count, 1)
        XCTAssertTrue(pending.first?.hasPrefix("\(missing.oid)|40000|missing.bin|1|") == true, "\(pending)")
        XCTAssertTrue(pending.first?.contains("404") == true, "\(pending)")
        let status = try ws.sediment(["status"])
        XCTAssertTrue(status.out.contains("1 pending"), status.out)

        // The object appears upstream: the next visit stores it.
        try missing.data.write(to: URL(fileURLWithPath: hubRoot + "/lfs/" + missing.oid))
        _ = try sync()
        XCTAssertEqual(try ws.storedSHA(missing.oid), missing.oid)
        XCTAssertEqual(try sql("SELECT COUNT(*) FROM lfs_pending"), ["0"])
    }

    func testInterruptedDownloadResumesWithRange() throws {
        let dropped = Object(3_000_000, seed: 31), ignored = Object(2_000_000, seed: 32)
        try addModel("acme/zeta", [("dropped.bin", dropped), ("ignored.bin", ignored)])
        try configure()
        // The connection drops at half; the retry asks for the rest with Range.
        try hub.injectLFS([(dropped.oid, "drop-half", 1)])
        // The same, but the server ignores Range: the object is received again whole.
        try hub.injectLFS([(ignored.oid, "drop-half", 1), (ignored.oid, "ignore-range", 1)])
        _ = try sync()
        XCTAssertEqual(try ws.storedSHA(dropped.oid), dropped.oid)
        XCTAssertEqual(try ws.storedSHA(ignored.oid), ignored.oid)
        let stats = try hub.lfsStats()
        XCTAssertEqual(stats.gets[dropped.oid], 2)
        XCTAssertEqual(stats.rangeGets[dropped.oid], 1, "the second GET continues where the first stopped")
        XCTAssertEqual(stats.gets[ignored.oid], 2)
        XCTAssertEqual(stats.rangeGets[ignored.oid], 1)
        XCTAssertEqual(try partials(), [])
        XCTAssertEqual(try ws.sediment(["verify"]).status, 0)
    }

    func testPolicyLimitsWhatIsFetched() throws {
        let small = Object(2_000, seed: 41), large = Object(50_000, seed: 42), other = Object(2_000, seed: 43)
        try addModel("acme/eta", [("small.safetensors", small), ("large.safetensors", large), ("other.bin", other)])
        try configure("lfs_max_bytes = 10000\nlfs_include = [\"*.safetensors\"]")
        _ = try sync()
        XCTAssertEqual(try ws.storedSHA(small.oid), small.oid)
        XCTAssertNil(try ws.storedSHA(large.oid), "above lfs_max_bytes: pointer only")
        XCTAssertNil(try ws.storedSHA(other.oid), "outside lfs_include: pointer only")
        XCTAssertEqual(try sql("SELECT oid FROM lfs_object"), [small.oid])
        XCTAssertEqual(try sql("SELECT COUNT(*) FROM lfs_pending"), ["0"], "objects outside the policy are not pending")
        XCTAssertEqual(try hub.lfsStats().gets, [small.oid: 1])
        let show = try ws.sediment(["show", "hf:acme/eta", "other.bin"])
        XCTAssertEqual(show.status, 1)
        XCTAssertTrue(show.stderr.contains("not archived") && show.stderr.contains("lfs_include"), show.stderr)
    }

    func testKillDuringDownloadLeavesNoPartialObjectAndResumes() throws {
        let big = Object(8_000_000, seed: 51)
        try addModel("acme/theta", [("model.safetensors", big)])
        try configure()
        // Half the object arrives, then the server holds the connection open.
        try hub.injectLFS([(big.oid, "stall-half", 1)])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Shell.sedimentBinary)
        process.arguments = ["sync", "--config", ws.configPath]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let partial = ws.store + "/blobs/partial/" + big.oid
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let size = (try? FileManager.default.attributesOfItem(atPath: partial)[.size] as? Int) ?? 0
            if size >= big.data.count / 2 { break }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertGreaterThanOrEqual((try? FileManager.default.attributesOfItem(atPath: partial)[.size] as? Int) ?? 0, big.data.count / 2,
                                    "the kill came in the middle of the download")
        XCTAssertFalse((try? ws.isStored(big.oid)) == true, "nothing partial under the object's name")
        XCTAssertEqual(try sql("SELECT COUNT(*) FROM lfs_object"), ["0"])

        // The restart resumes the download where it stopped and stores the right content.
        let again = try sync()
        XCTAssertEqual(try ws.storedSHA(big.oid), big.oid)
        let stats = try hub.lfsStats()
        XCTAssertEqual(stats.gets[big.oid], 2)
        XCTAssertEqual(stats.rangeGets[big.oid], 1, "resumed with Range after the restart: \(again.out) \(again.stderr)")
        XCTAssertEqual(try partials(), [])
        XCTAssertEqual(try ws.sediment(["verify"]).status, 0)
    }

    /// SIGTERM while a download stalls half-way: the daemon stops (the transfer is abandoned
    /// at once, not after the stall timeout), records no failure for the object, keeps the
    /// half it has, and the next start resumes it with `Range`.
    func testSIGTERMDuringAStalledDownloadStopsTheDaemonAndItResumes() throws {
        let big = Object(8_000_000, seed: 71)
        try addModel("acme/kappa", [("model.safetensors", big)])
        try configure()
        try String(contentsOfFile: ws.configPath, encoding: .utf8)
            .replacingOccurrences(of: "[daemon]\n", with: "[daemon]\nlisten = \"127.0.0.1:0\"\ninterval = \"1h\"\n")
            .write(toFile: ws.configPath, atomically: true, encoding: .utf8)
        try hub.injectLFS([(big.oid, "stall-half", 1)])
        var daemon = try DaemonProcess(config: ws.configPath, cwd: ws.root, logPath: ws.root + "/first.log")
        let partial = ws.store + "/blobs/partial/" + big.oid
        XCTAssertTrue(DaemonProcess.poll(timeout: 120) {
            ((try? FileManager.default.attributesOfItem(atPath: partial)[.size] as? Int) ?? 0) >= big.data.count / 2
        }, daemon.log)
        XCTAssertEqual(daemon.stop(SIGTERM, timeout: DaemonTests.timeoutStopSec), 0, daemon.log)
        XCTAssertFalse((try? ws.isStored(big.oid)) == true, "nothing partial under the object's name")
        XCTAssertEqual(try sql("SELECT attempts, reason IS NULL FROM lfs_pending"), ["0|1"], "stopping is not a failure of the object")
        XCTAssertGreaterThanOrEqual((try? FileManager.default.attributesOfItem(atPath: partial)[.size] as? Int) ?? 0, big.data.count / 2,
                                    "the half received is kept")

        daemon = try DaemonProcess(config: ws.configPath, cwd: ws.root, logPath: ws.root + "/second.log")
        XCTAssertTrue(DaemonProcess.poll(timeout: 120) { (try? ws.isStored(big.oid)) == true }, daemon.log)
        XCTAssertEqual(daemon.stop(SIGTERM, timeout: DaemonTests.timeoutStopSec), 0, daemon.log)
        XCTAssertEqual(try ws.storedSHA(big.oid), big.oid)
        XCTAssertEqual(try hub.lfsStats().rangeGets[big.oid], 1, "resumed with Range")
        XCTAssertEqual(try ws.sediment(["verify"]).status, 0)
    }

    /// A download that stalls half-way fails after `[http] stall_timeout`, naming the object
    /// and the URL; the object stays pending with that reason and the next sync resumes it.
    func testAStalledDownloadFailsAfterTheStallTimeoutAndIsResumedLater() throws {
        let big = Object(2_000_000, seed: 81)
        try addModel("acme/lambda", [("model.safetensors", big)])
        try configure()
        try String(contentsOfFile: ws.configPath, encoding: .utf8)
            .replacingOccurrences(of: "max_attempts = 3\n", with: "max_attempts = 1\nstall_timeout = \"2s\"\n")
            .write(toFile: ws.configPath, atomically: true, encoding: .utf8)
        try hub.injectLFS([(big.oid, "stall-half", 1)])
        let first = try sync()
        let visit = first.jsonLines.first { $0["package"] as? String == "acme/lambda" }
        XCTAssertEqual(visit?["status"] as? String, "full", first.out)
        let problems = (visit?["lfs_problems"] as? [String] ?? []).joined(separator: "\n")
        for words in ["LFS object \(big.oid.prefix(12))", "/lfs/objects/\(big.oid)", "timed out: no byte for 2 s"] {
            XCTAssertTrue(problems.contains(words), "\"\(words)\" missing from: \(problems)")
        }
        XCTAssertEqual(try sql("SELECT attempts, reason LIKE '%timed out: no byte for 2 s%' FROM lfs_pending"), ["1|1"])
        XCTAssertFalse((try? ws.isStored(big.oid)) == true)

        _ = try sync()
        XCTAssertEqual(try ws.storedSHA(big.oid), big.oid)
        XCTAssertEqual(try hub.lfsStats().rangeGets[big.oid], 1, "resumed with Range")
        XCTAssertEqual(try ws.sediment(["verify"]).status, 0)
    }

    /// `[daemon] visit_timeout` bounds the LFS downloads of a visit too: a download that would
    /// outlast it (here one that stalls for longer than the stall timeout allows) is abandoned
    /// at the deadline, and what is not stored stays pending.
    func testVisitTimeoutEndsTheLFSDownloadsOfAVisit() throws {
        let big = Object(2_000_000, seed: 91)
        try addModel("acme/mu", [("model.safetensors", big)])
        try configure()
        try String(contentsOfFile: ws.configPath, encoding: .utf8)
            .replacingOccurrences(of: "[daemon]\n", with: "[daemon]\nvisit_timeout = \"8s\"\n")
            .write(toFile: ws.configPath, atomically: true, encoding: .utf8)
        try hub.injectLFS([(big.oid, "stall-half", 1)])
        let first = try sync()
        let visit = first.jsonLines.first { $0["package"] as? String == "acme/mu" }
        let problems = (visit?["lfs_problems"] as? [String] ?? []).joined(separator: "\n")
        XCTAssertTrue(problems.contains("timed out (LFS object)") && problems.contains("daemon.visit_timeout (8 s)"), problems)
        XCTAssertEqual(try sql("SELECT oid FROM lfs_pending"), [big.oid], "the object waits for the next visit")
        _ = try sync()
        XCTAssertEqual(try ws.storedSHA(big.oid), big.oid)
    }

    func testLFSConfigURLIsHonouredAndTheTokenNeverShows() throws {
        let weights = Object(70_000, seed: 61), missing = Object(5_000, seed: 62)
        // The repository names another LFS server (here: the same hub under another path).
        try addModel("acme/iota", [("model.safetensors", weights), ("gone.bin", missing)],
                     extra: [(".lfsconfig", "[lfs]\n\turl = \(hub.endpoint)/elsewhere/store.git/info/lfs\n")])
        try FileManager.default.removeItem(atPath: hubRoot + "/lfs/" + missing.oid)
        // The default endpoint would fail every time.
        try hub.inject([["path_prefix": "/acme/iota.git/info/lfs", "status": 403, "times": 10]])
        let token = "hf_secret_token_for_lfs_tests"
        try (token + "\n").write(toFile: ws.root + "/token", atomically: true, encoding: .utf8)
        try configure(hub: "token_file = \"\(ws.root)/token\"")
        let result = try sync()
        XCTAssertEqual(try ws.storedSHA(weights.oid), weights.oid, "fetched through lfs.url")
        XCTAssertEqual(try sql("SELECT oid FROM lfs_pending"), [missing.oid])
        XCTAssertFalse(result.out.contains(token) || result.stderr.contains(token), "the token is never printed")
        for file in ["catalog.sqlite", "catalog.sqlite-wal"] {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: ws.store + "/" + file))) ?? Data()
            XCTAssertNil(bytes.range(of: Data(token.utf8)), "nor stored in the catalog (\(file))")
        }
        let status = try ws.sediment(["status"])
        XCTAssertFalse(status.out.contains(token))
    }
}
