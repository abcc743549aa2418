import Foundation
import XCTest

/// Network faults from the fixture hub while git packs are in flight: connections dropped
/// mid-pack, slow bodies, 5xx and 429. Retries are bounded, failures are recorded, nothing is
/// damaged, and later visits succeed. A SIGTERM during a slow fetch stops the daemon cleanly.
final class NetworkFaultTests: XCTestCase {
    var ws: Workspace!
    var hub: FixtureHub!

    override func setUpWithError() throws {
        ws = try Workspace()
        let root = ws.root + "/hub"
        var models: [[String: Any]] = []
        for (index, id) in ["acme/big", "acme/small"].enumerated() {
            let work = try ws.newRepository("hf/" + id)
            try ws.write("README.md", "---\nlicense: mit\n---\n# \(id)\n", in: work)
            // Incompressible files: the pack is about as large as they are.
            for file in 0..<(id == "acme/big" ? 160 : 2) {
                try ws.write("shards/part-\(file).bin", Workspace.bytes(4096, seed: UInt64(index * 10_000 + file)), in: work)
            }
            try ws.commitAll("upload", in: work)
            try ws.publish(work, toBare: root + "/" + id + ".git")
            models.append(["id": id, "downloads": 1, "likes": 0, "tags": ["transformers"], "gated": false,
                           "createdAt": "2024-01-01T00:00:00.000Z"])
        }
        hub = try FixtureHub(root: root, home: ws.home, scratch: ws.root)
        try hub.setModels(models)
        try """
            [storage]
            path = "\(ws.store)"

            [daemon]
            listen = "127.0.0.1:0"
            interval = "1h"

            \(ConfigText.quickRetries)

            \(ConfigText.huggingFaceHub(hub.endpoint))
            """.write(toFile: ws.configPath, atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        hub = nil
        ws = nil
    }

    func visits(_ result: ProcessResult) -> [String: [String: Any]] {
        Dictionary(result.jsonLines.compactMap { line in (line["package"] as? String).map { ($0, line) } }, uniquingKeysWith: { _, b in b })
    }

    /// `sediment log` of a package equals `git rev-list --all` of its upstream.
    func assertArchived(_ id: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let log = try ws.sediment(["log", "hf:" + id, "--json"])
        XCTAssertEqual(log.status, 0, log.stderr, file: file, line: line)
        let upstream = try ws.git(["rev-list", "--all"], in: hub.root + "/" + id + ".git").split(separator: "\n").map(String.init)
        XCTAssertEqual(Set(log.jsonLines.compactMap { $0["commit"] as? String }), Set(upstream), file: file, line: line)
    }

    func testConnectionDroppedMidPackIsRetriedThenRecordedWithoutDamage() throws {
        // Once: the retry gets the whole pack.
        try hub.inject([["path_prefix": "/acme/big.git/git-upload-pack", "drop_after": 100_000, "times": 1],
                        ["path_prefix": "/acme/big/git-upload-pack", "drop_after": 100_000, "times": 1]])
        let recovered = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(recovered.status, 0, recovered.stderr + recovered.out)
        XCTAssertEqual(visits(recovered)["acme/big"]?["status"] as? String, "full", recovered.out)
        XCTAssertEqual(try hub.stats().git["acme/big"], 2, "the dropped fetch was retried once")
        try assertArchived("acme/big")
        XCTAssertEqual(try ws.sediment(["verify"]).status, 0)
    }

    func testConnectionDroppedEveryTimeIsAFailedVisitAndTheNextSyncSucceeds() throws {
        try hub.inject([["path_prefix": "/acme/big.git/git-upload-pack", "drop_after": 100_000, "times": 20],
                        ["path_prefix": "/acme/big/git-upload-pack", "drop_after": 100_000, "times": 20]])
        let failed = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(failed.status, 1)
        XCTAssertEqual(visits(failed)["acme/big"]?["status"] as? String, "failed", failed.out)
        XCTAssertFalse((visits(failed)["acme/big"]?["error"] as? String ?? "").isEmpty)
        XCTAssertEqual(visits(failed)["acme/small"]?["status"] as? String, "full", "the other package is not held up")
        XCTAssertEqual(try hub.stats().git["acme/big"], 3, "max_attempts = 3 bounds the retries")
        let verify = try ws.sediment(["verify"])
        XCTAssertEqual(verify.status, 0, "a failed fetch damages nothing: \(verify.out)\(verify.stderr)")
        let status = try ws.sediment(["status", "--json"]).jsonLines.first?["failing"] as? [[String: Any]] ?? []
        XCTAssertEqual(status.map { $0["package"] as? String }, ["hf:acme/big"])

        try hub.clearFaults()
        let later = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(later.status, 0, later.stderr)
        XCTAssertEqual(visits(later)["acme/big"]?["status"] as? String, "full")
        try assertArchived("acme/big")
        XCTAssertEqual(try ws.sediment(["verify"]).status, 0)
    }

    func testSlowBodyAnd5xxAnd429AreRiddenOut() throws {
        try hub.inject([
            ["path_prefix": "/acme/big.git/git-upload-pack", "delay": 0.01, "chunk_size": 8192, "times": 1],
            ["path_prefix": "/acme/big/git-upload-pack", "delay": 0.01, "chunk_size": 8192, "times": 1],
            ["path_prefix": "/acme/small", "status": 429, "retry_after": "1", "times": 1],
            ["path_prefix": "/acme/small", "status": 502, "times": 1],
        ])
        let result = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr + result.out)
        XCTAssertEqual(visits(result)["acme/big"]?["status"] as? String, "full")
        XCTAssertEqual(visits(result)["acme/small"]?["status"] as? String, "full")
        XCTAssertEqual(try hub.stats().git["acme/small"], 3, "429, then 502, then the answer")
        try assertArchived("acme/big")
        try assertArchived("acme/small")
        XCTAssertEqual(try ws.sediment(["verify"]).status, 0)
    }

    /// SIGTERM while a pack trickles in: the daemon exits 0 well within TimeoutStopSec, the
    /// half-fetched visit leaves no row, and the next start redoes it.
    func testSIGTERMDuringASlowFetchStopsCleanlyAndTheVisitIsRedone() throws {
        let slow: [String: Any] = ["delay": 0.2, "chunk_size": 2048, "times": 1]
        try hub.inject([slow.merging(["path_prefix": "/acme/big.git/git-upload-pack"]) { a, _ in a },
                        slow.merging(["path_prefix": "/acme/big/git-upload-pack"]) { a, _ in a }])
        var daemon = try DaemonProcess(config: ws.configPath, cwd: ws.root, logPath: ws.root + "/first.log")
        // The pack of acme/big takes minutes at this pace: wait until it is flowing.
        XCTAssertTrue(try DaemonProcess.poll(timeout: 120) { (try hub.stats().git["acme/big"] ?? 0) >= 1 }, daemon.log)
        Thread.sleep(forTimeInterval: 1.5)
        XCTAssertTrue(daemon.process.isRunning, daemon.log)
        let status = daemon.stop(SIGTERM, timeout: DaemonTests.timeoutStopSec)
        XCTAssertEqual(status, 0, "stopped by SIGTERM mid-fetch\n\(daemon.log)")
        XCTAssertTrue(daemon.log.contains("visit interrupted"), daemon.log)

        let visits = try ws.sediment(["status", "--json"])
        XCTAssertEqual(visits.status, 0)
        let hf = (visits.jsonLines.first?["hubs"] as? [[String: Any]])?.first { $0["name"] as? String == "hf" }
        XCTAssertEqual(hf?["last_crawl_state"] as? String, "interrupted", "a crawl stopped by SIGTERM ends interrupted: \(visits.out)")
        XCTAssertEqual(try ws.catalogRows("SELECT state, finished_at IS NOT NULL FROM crawl ORDER BY id DESC LIMIT 1"), [["interrupted", "1"]],
                       "the daemon ended it itself")
        let history = try ws.sediment(["history", "hf:acme/big", "--json"])
        XCTAssertTrue(history.jsonLines.isEmpty, "no half-written visit: \(history.out)\(history.stderr)")
        let verify = try ws.sediment(["verify"])
        XCTAssertEqual(verify.status, 0, verify.out + verify.stderr)

        // The next start resumes the unfinished crawl and redoes the interrupted visit.
        daemon = try DaemonProcess(config: ws.configPath, cwd: ws.root, logPath: ws.root + "/second.log")
        XCTAssertTrue(DaemonProcess.poll(timeout: 120) { (try? self.ws.sediment(["log", "hf:acme/big", "--json"]).jsonLines.count) ?? 0 > 0 },
                      daemon.log)
        XCTAssertEqual(daemon.stop(SIGTERM, timeout: DaemonTests.timeoutStopSec), 0, daemon.log)
        try assertArchived("acme/big")
        XCTAssertEqual(try ws.sediment(["verify"]).status, 0)
    }

    /// A fetch that stalls before its first byte is stopped by SIGTERM at once (Sediment's
    /// socket stream asks for the stop while it waits): the visit is interrupted, not left to
    /// `stop_timeout`, and the daemon exits 0 with the archive as it was.
    func testSIGTERMStopsAFetchStalledBeforeItsFirstByte() throws {
        try String(contentsOfFile: ws.configPath, encoding: .utf8)
            .replacingOccurrences(of: "interval = \"1h\"\n", with: "interval = \"1h\"\nstop_timeout = \"5m\"\n")
            .write(toFile: ws.configPath, atomically: true, encoding: .utf8)
        let stall: [String: Any] = ["delay": 300, "times": 1]
        try hub.inject([stall.merging(["path_prefix": "/acme/big.git/git-upload-pack"]) { a, _ in a },
                        stall.merging(["path_prefix": "/acme/big/git-upload-pack"]) { a, _ in a }])
        var daemon = try DaemonProcess(config: ws.configPath, cwd: ws.root, logPath: ws.root + "/first.log")
        XCTAssertTrue(try DaemonProcess.poll(timeout: 120) { (try hub.stats().git["acme/big"] ?? 0) >= 1 }, daemon.log)
        Thread.sleep(forTimeInterval: 1)
        XCTAssertEqual(daemon.stop(SIGTERM, timeout: DaemonTests.timeoutStopSec), 0, daemon.log)
        XCTAssertTrue(daemon.log.contains("visit interrupted"), daemon.log)
        XCTAssertFalse(daemon.log.contains("daemon.stop_timeout"), "stopped without waiting for stop_timeout: \(daemon.log)")
        XCTAssertTrue(try ws.sediment(["history", "hf:acme/big", "--json"]).jsonLines.isEmpty, "no half-written visit")
        XCTAssertEqual(try ws.sediment(["verify"]).status, 0)

        daemon = try DaemonProcess(config: ws.configPath, cwd: ws.root, logPath: ws.root + "/second.log")
        XCTAssertTrue(DaemonProcess.poll(timeout: 120) { (try? self.ws.sediment(["log", "hf:acme/big", "--json"]).jsonLines.count) ?? 0 > 0 },
                      daemon.log)
        XCTAssertEqual(daemon.stop(SIGTERM, timeout: DaemonTests.timeoutStopSec), 0, daemon.log)
        try assertArchived("acme/big")
    }
}

/// The daemon's parking, end to end: a package whose every fetch fails is parked, waits, and
/// is retried at once (and unparked) when the hub lists a new head for it.
final class ParkingTests: XCTestCase {
    func testAParkedPackageIsRetriedWhenItsListingChanges() throws {
        let ws = try Workspace()
        let root = ws.root + "/hub"
        let work = try ws.newRepository("hf/acme/flaky")
        try ws.write("README.md", "# flaky\n", in: work)
        try ws.commitAll("upload", in: work)
        let bare = root + "/acme/flaky.git"
        try ws.publish(work, toBare: bare)
        let hub = try FixtureHub(root: root, home: ws.home, scratch: ws.root)
        try hub.setModels([["id": "acme/flaky", "downloads": 1]])
        try """
            [storage]
            path = "\(ws.store)"

            [daemon]
            listen = "127.0.0.1:0"
            interval = "1s"
            min_revisit = "1h"
            park_after = 1
            parked_revisit = "1d"

            [http]
            max_attempts = 1

            [[hub]]
            kind = "huggingface"
            name = "hf"
            endpoint = "\(hub.endpoint)"
            """.write(toFile: ws.configPath, atomically: true, encoding: .utf8)
        // Every git request fails: the failed visit parks the package (park_after = 1).
        try hub.inject([["path_prefix": "/acme/flaky", "status": 500, "times": 1000]])
        let daemon = try DaemonProcess(config: ws.configPath, cwd: ws.root, logPath: ws.root + "/daemon.log")
        func parked() throws -> [[String: Any]] {
            try ws.sediment(["status", "--json"]).jsonLines.first?["parked"] as? [[String: Any]] ?? []
        }
        XCTAssertTrue(try DaemonProcess.poll(timeout: 120) { try parked().count == 1 }, daemon.log)
        // The failure is counted by its kind, from the code the fetch's error carried.
        let address = try XCTUnwrap(daemon.address(), daemon.log)
        let metrics = try DaemonProcess.get(address, "/metrics").1
        XCTAssertTrue(metrics.contains("sediment_errors_total{kind=\"server_error\"}"), metrics)
        // Parked: further crawls leave it alone.
        let visitsWhenParked = try ws.sediment(["history", "hf:acme/flaky", "--json"]).jsonLines.count
        let gitWhenParked = try hub.stats().git["acme/flaky"] ?? 0
        XCTAssertTrue(DaemonProcess.poll(timeout: 60) { daemon.log.components(separatedBy: "crawl finished").count >= 6 }, daemon.log)
        XCTAssertEqual(try hub.stats().git["acme/flaky"] ?? 0, gitWhenParked, "a parked package is not fetched")
        XCTAssertEqual(try ws.sediment(["history", "hf:acme/flaky", "--json"]).jsonLines.count, visitsWhenParked)

        // The repository recovers and the hub lists a new head: retried at once, and unparked.
        try hub.clearFaults()
        try ws.write("notes.md", "fixed\n", in: work)
        try ws.commitAll("fix", in: work)
        try ws.git(["push", "-q", bare, "main"], in: work)
        XCTAssertTrue(try DaemonProcess.poll(timeout: 120) { try parked().isEmpty }, daemon.log)
        XCTAssertEqual(daemon.stop(SIGTERM, timeout: DaemonTests.timeoutStopSec), 0, daemon.log)
        let log = try ws.sediment(["log", "hf:acme/flaky", "--json"])
        XCTAssertEqual(log.jsonLines.count, 2, "both commits archived once the listing changed: \(log.out)")
    }
}
