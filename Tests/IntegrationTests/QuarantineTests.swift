import Foundation
import XCTest

/// A crash costs one package, not the archive: a package whose visit crashes the process
/// (`SEDIMENT_FAULT_CRASH_ON_VISIT`, the test-only fault switch) is quarantined after two
/// crashes in a row, the other packages go on being archived, and `sediment unpark`
/// or a new version listed by its hub puts it back.
final class QuarantineTests: XCTestCase {
    static let fault = "SEDIMENT_FAULT_CRASH_ON_VISIT"

    /// The daemon under a supervisor that restarts it after an abnormal exit, as systemd's
    /// `Restart=on-failure` does.
    func testTheDaemonQuarantinesAPackageThatCrashesItAndKeepsArchivingTheOthers() throws {
        let ws = try Workspace()
        let names = ["org/alpha", "org/boom", "org/beta", "org/gamma"]
        try ws.publishModels(names)
        let git = try GitDaemon(root: ws.served, home: ws.home)
        try """
            [storage]
            path = "\(ws.store)"

            [daemon]
            listen = "127.0.0.1:0"
            interval = "1s"
            min_revisit = "1h"
            concurrency = 4
            per_host_concurrency = 4

            [[hub]]
            kind = "git"
            name = "ours"
            repositories = [\(names.map { "\"\(git.url($0 + ".git"))\"" }.joined(separator: ", "))]
            """.write(toFile: ws.configPath, atomically: true, encoding: .utf8)
        let crashing = ["SEDIMENT_FAULT_CRASH_ON_VISIT": "ours:org/boom"]
        func archived(_ name: String) -> Bool {
            (try? ws.catalogRows("""
                SELECT COUNT(*) FROM visit v JOIN package p ON p.id = v.package_id
                WHERE p.hub = 'ours' AND p.package_id = '\(name)' AND v.status = 'full'
                """).first?.first ?? "0") ?? "0" != "0"
        }
        func parked() throws -> [[String: Any]] {
            try ws.sediment(["status", "--json"]).jsonLines.first?["parked"] as? [[String: Any]] ?? []
        }
        func count(_ sql: String) -> Int {
            Int(((try? ws.catalogRows(sql))?.first?.first ?? nil) ?? "0") ?? 0
        }

        // The supervisor: start, and restart after every abnormal exit, until the others are
        // archived with the daemon still up (bounded by a generous number of restarts).
        var crashes = 0
        var daemon: DaemonProcess!
        var logs = ""
        for run in 1...6 {
            daemon = try DaemonProcess(config: ws.configPath, cwd: ws.root, logPath: ws.root + "/daemon-\(run).log", environment: crashing)
            DaemonProcess.poll(timeout: 180) {
                !daemon.process.isRunning || (["org/alpha", "org/beta", "org/gamma"].allSatisfy(archived)
                    && count("SELECT COUNT(*) FROM package_schedule WHERE parked_reason IS NOT NULL") > 0)
            }
            logs += daemon.log
            if daemon.process.isRunning { break }
            XCTAssertEqual(daemon.process.terminationReason, .uncaughtSignal, "the fault switch aborts: \(daemon.log)")
            crashes += 1
        }
        XCTAssertTrue(daemon.process.isRunning, "the daemon stays up once the package is quarantined\n\(logs)")
        XCTAssertEqual(crashes, 2, "two crashes in a row quarantine the package; no third\n\(logs)")
        XCTAssertTrue(logs.contains("aborting (a fault switch for tests)"), logs)
        for name in ["org/alpha", "org/beta", "org/gamma"] {
            XCTAssertTrue(archived(name), "\(name) is archived despite the crashing package\n\(logs)")
        }
        XCTAssertFalse(archived("org/boom"))

        // Quarantined: in `status`, `/status` and `/metrics`; only the crashing package.
        let quarantined = try parked()
        XCTAssertEqual(quarantined.map { $0["package"] as? String }, ["ours:org/boom"], "\(quarantined)")
        XCTAssertEqual(quarantined.first?["reason"] as? String, "crashed the process")
        XCTAssertEqual(quarantined.first?["quarantined"] as? Bool, true)
        XCTAssertEqual(quarantined.first?["crashes"] as? Int, 2)
        XCTAssertTrue(quarantined.first?["next_visit"] is NSNull, "waits for unpark or a new version: \(quarantined)")
        let human = try ws.sediment(["status"]).out
        XCTAssertTrue(human.contains("ours:org/boom: quarantined") && human.contains("crashed the process"), human)
        let address = try XCTUnwrap(daemon.address(), daemon.log)
        let (_, metrics) = try DaemonProcess.get(address, "/metrics")
        XCTAssertTrue(metrics.contains("sediment_quarantined_packages 1"), metrics)
        XCTAssertTrue(metrics.contains("sediment_parked_packages 1"), metrics)
        // /status is `status --json` (DaemonTests compares them whole; here the daemon lists
        // every second, so only the parked packages are compared).
        let (_, served) = try DaemonProcess.get(address, "/status")
        let servedParked = (try JSONSerialization.jsonObject(with: Data(served.utf8)) as? [String: Any])?["parked"] as? NSArray
        XCTAssertEqual(servedParked, quarantined as NSArray, served)
        // Further crawls leave it alone: the daemon keeps running.
        let crawls = count("SELECT COUNT(*) FROM crawl")
        XCTAssertTrue(DaemonProcess.poll(timeout: 120) { count("SELECT COUNT(*) FROM crawl WHERE finished_at IS NOT NULL") >= crawls + 2 }, daemon.log)
        XCTAssertTrue(daemon.process.isRunning, daemon.log)

        // `sediment unpark`, while the daemon runs: its next crawl visits the package again
        // (which, with the fault still set, crashes it once more).
        let unpark = try ws.sediment(["unpark", "ours:org/boom"])
        XCTAssertEqual(unpark.status, 0, unpark.stderr)
        XCTAssertTrue(unpark.out.contains("unparked (it was quarantined)"), unpark.out)
        XCTAssertTrue(DaemonProcess.poll(timeout: 120) { !daemon.process.isRunning }, "an unparked package is visited again\n\(daemon.log)")
        XCTAssertEqual(daemon.process.terminationReason, .uncaughtSignal, daemon.log)
        XCTAssertTrue(try parked().isEmpty, "one crash after unpark does not quarantine it again")
        // The package fixed (no fault): the restarted daemon archives it.
        daemon = try DaemonProcess(config: ws.configPath, cwd: ws.root, logPath: ws.root + "/daemon-fixed.log")
        XCTAssertTrue(DaemonProcess.poll(timeout: 180) { archived("org/boom") }, daemon.log)
        XCTAssertEqual(daemon.stop(SIGTERM, timeout: DaemonTests.timeoutStopSec), 0, daemon.log)
        XCTAssertTrue(try parked().isEmpty)
        XCTAssertEqual(count("SELECT MAX(crashes) FROM package_schedule"), 0)
    }

    /// `sync`: one crash, then a fine visit, resets; two in a row quarantine; `sync` then skips
    /// the package until its hub lists a new version of it.
    func testSyncCountsCrashesInARowAndANewVersionEndsTheQuarantine() throws {
        let ws = try Workspace()
        let root = ws.root + "/hub"
        var works: [String: String] = [:]
        for id in ["acme/boom", "acme/fine"] {
            let work = try ws.newRepository("hf/" + id)
            try ws.write("README.md", "# \(id)\n", in: work)
            try ws.commitAll("upload", in: work)
            try ws.publish(work, toBare: root + "/" + id + ".git")
            works[id] = work
        }
        let hub = try FixtureHub(root: root, home: ws.home, scratch: ws.root)
        try hub.setModels([["id": "acme/boom", "downloads": 1], ["id": "acme/fine", "downloads": 2]])
        try """
            [storage]
            path = "\(ws.store)"

            [[hub]]
            kind = "huggingface"
            name = "hf"
            endpoint = "\(hub.endpoint)"
            """.write(toFile: ws.configPath, atomically: true, encoding: .utf8)
        let crashing = [Self.fault: "hf:acme/boom"]
        func crashes() throws -> String? {
            try ws.catalogRows("""
                SELECT s.crashes FROM package_schedule s JOIN package p ON p.id = s.package_id WHERE p.package_id = 'acme/boom'
                """).first?.first ?? nil
        }
        func quarantined() throws -> [String] {
            (try ws.sediment(["status", "--json"]).jsonLines.first?["parked"] as? [[String: Any]] ?? [])
                .filter { $0["quarantined"] as? Bool == true }.compactMap { $0["package"] as? String }
        }

        // One crash, then a visit that runs to its end: the count resets.
        var sync = try ws.sediment(["sync", "--package", "hf:acme/boom"], environment: crashing)
        XCTAssertNotEqual(sync.status, 0)
        XCTAssertTrue(sync.stderr.contains("aborting (a fault switch for tests)"), sync.stderr)
        sync = try ws.sediment(["sync"])
        XCTAssertEqual(sync.status, 0, sync.stderr)
        XCTAssertTrue(sync.stderr.contains("the previous process crashed (signal \(SIGABRT) pid ") && sync.stderr.contains("while visiting hf:acme/boom"),
                      sync.stderr)
        XCTAssertEqual(try crashes(), "0", "a fine visit after one crash resets the count")
        XCTAssertEqual(try quarantined(), [])

        // Two crashes in a row: quarantined, and the next sync skips it and archives the rest.
        try ws.write("more.md", "more\n", in: works["acme/fine"]!)
        try ws.commitAll("more", in: works["acme/fine"]!)
        try ws.git(["push", "-q", root + "/acme/fine.git", "main"], in: works["acme/fine"]!)
        try ws.write("more.md", "more\n", in: works["acme/boom"]!)
        try ws.commitAll("more", in: works["acme/boom"]!)
        try ws.git(["push", "-q", root + "/acme/boom.git", "main"], in: works["acme/boom"]!)
        for _ in 1...2 {
            sync = try ws.sediment(["sync", "--package", "hf:acme/boom"], environment: crashing)
            XCTAssertNotEqual(sync.status, 0, sync.stderr)
        }
        sync = try ws.sediment(["sync"], environment: crashing)
        XCTAssertEqual(sync.status, 0, "the quarantined package is skipped, the others visited: \(sync.stderr)")
        XCTAssertTrue(sync.stderr.contains("hf:acme/boom quarantined"), sync.stderr)
        XCTAssertTrue(sync.stderr.contains("hf:acme/boom: quarantined, not visited"), sync.stderr)
        XCTAssertEqual(try quarantined(), ["hf:acme/boom"])
        XCTAssertEqual(try ws.sediment(["log", "hf:acme/fine", "--json"]).jsonLines.count, 2, "the other package is archived")
        XCTAssertEqual(try ws.sediment(["log", "hf:acme/boom", "--json"]).jsonLines.count, 1, "the quarantined one is not visited")

        // The hub lists a new version of it: visited again (the fault no longer set), and released.
        try ws.write("fix.md", "fixed\n", in: works["acme/boom"]!)
        try ws.commitAll("fix", in: works["acme/boom"]!)
        try ws.git(["push", "-q", root + "/acme/boom.git", "main"], in: works["acme/boom"]!)
        sync = try ws.sediment(["sync"])
        XCTAssertEqual(sync.status, 0, sync.stderr)
        XCTAssertEqual(try quarantined(), [])
        XCTAssertEqual(try ws.sediment(["log", "hf:acme/boom", "--json"]).jsonLines.count, 3, "its new version is archived")
        XCTAssertEqual(try crashes(), "0")
    }
}
