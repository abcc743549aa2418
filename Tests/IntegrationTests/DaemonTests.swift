import Foundation
import SedimentStore
import XCTest

/// `sediment daemon` as systemd runs it: the notify protocol, the endpoint, the adaptive
/// schedule kept in the catalog across restarts, parking, and graceful stops on SIGTERM.
final class DaemonTests: XCTestCase {
    /// The unit's `TimeoutStopSec`: a SIGTERM must end the daemon well within it.
    static let timeoutStopSec: TimeInterval = 90

    var ws: Workspace!
    var git: GitDaemon!

    override func setUpWithError() throws {
        ws = try Workspace()
        try ws.publishModels(["org/alpha", "org/beta"], files: ["config.json": "{\"model_type\": \"bert\"}\n"])
        git = try GitDaemon(root: ws.served, home: ws.home)
    }

    override func tearDownWithError() throws {
        git = nil
        ws = nil
    }

    func writeConfig(_ repositories: [String], daemon: String) throws {
        let text = """
            [storage]
            path = "\(ws.store)"

            [daemon]
            listen = "127.0.0.1:0"
            \(daemon)

            [[hub]]
            kind = "git"
            name = "ours"
            repositories = [\(repositories.map { "\"\($0)\"" }.joined(separator: ", "))]
            """
        try text.write(toFile: ws.configPath, atomically: true, encoding: .utf8)
    }

    /// One query's rows from the catalog, NULL written "NULL".
    func query(_ sql: String) throws -> [[String]] {
        try ws.catalogRows(sql).map { $0.map { $0 ?? "NULL" } }
    }

    func count(_ sql: String) throws -> Int { Int(try query(sql).first?.first ?? "0") ?? 0 }

    func startDaemon(_ name: String, environment: [String: String] = [:]) throws -> DaemonProcess {
        try DaemonProcess(config: ws.configPath, cwd: ws.root, logPath: ws.root + "/\(name).log", environment: environment)
    }

    func testNotifyProtocolEndpointAndGracefulStop() throws {
        // A third repository carries a token in its URL and cannot be reached: its failure is
        // logged, the token never is.
        let secret = "hf_daemonSecret1234"
        try writeConfig([git.url("org/alpha.git"), git.url("org/beta.git"), "http://sediment:\(secret)@127.0.0.1:\(freePort())/org/gone.git"],
                        daemon: "interval = \"1h\"")
        let notify = try NotifySocket(path: ws.root + "/notify")
        defer { notify.cancel() }
        let daemon = try startDaemon("daemon", environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "400000"])
        let idle = DaemonProcess.poll(timeout: 120) {
            notify.lines.contains { $0.hasPrefix("STATUS=idle") } && notify.lines.filter { $0 == "WATCHDOG=1" }.count >= 2
        }
        XCTAssertTrue(idle, "notifications: \(notify.lines)\nlog:\n\(daemon.log)")
        let lines = notify.lines
        let ready = try XCTUnwrap(lines.firstIndex(of: "READY=1"), "READY=1 is sent: \(lines)")
        let crawling = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("STATUS=crawling ours:") }, "STATUS= lines while crawling: \(lines)")
        XCTAssertLessThan(ready, crawling, "READY=1 once the catalog is open and the schedule loaded, before crawling")
        XCTAssertTrue(lines.contains("STATUS=crawling ours: 3/3"), "progress counts visits: \(lines)")

        // The endpoint: health, metrics, and the same status as `sediment status --json`.
        let address = try XCTUnwrap(daemon.address(), daemon.log)
        XCTAssertEqual(try DaemonProcess.get(address, "/healthz").0, 200)
        let (metricsCode, metrics) = try DaemonProcess.get(address, "/metrics")
        XCTAssertEqual(metricsCode, 200)
        XCTAssertTrue(metrics.contains("sediment_visits_total{hub=\"ours\",status=\"full\"} 2"), metrics)
        XCTAssertTrue(metrics.contains("sediment_last_successful_crawl_timestamp_seconds{hub=\"ours\"}"), metrics)
        XCTAssertTrue(metrics.contains("sediment_queue_depth 0"), metrics)
        XCTAssertTrue(metrics.contains("sediment_parked_packages 0"), metrics)
        XCTAssertTrue(metrics.contains("# TYPE sediment_fetched_bytes_total counter"), metrics)
        let (statusCode, statusBody) = try DaemonProcess.get(address, "/status")
        XCTAssertEqual(statusCode, 200)
        let served = try JSONSerialization.jsonObject(with: Data(statusBody.utf8)) as? NSDictionary
        let printed = try JSONSerialization.jsonObject(with: ws.sediment(["status", "--json"]).stdout) as? NSDictionary
        XCTAssertNotNil(served)
        XCTAssertEqual(served, printed, "/status serves what `sediment status --json` prints")
        // The schedule: the next listing per hub, the package due first, the visits in progress.
        let hubs = served?["hubs"] as? [[String: Any]] ?? []
        let nextListing = try XCTUnwrap(hubs.first?["next_listing"] as? String, "\(statusBody)")
        let listedAgainIn = try XCTUnwrap(Catalog.date(nextListing)).timeIntervalSinceNow
        XCTAssertGreaterThan(listedAgainIn, 3000, "listed again after interval (1h)")
        XCTAssertEqual(hubs.first?["last_crawl_state"] as? String, "finished")
        let due = try XCTUnwrap(served?["next_due"] as? [String: Any], statusBody)
        XCTAssertNotNil(due["package"] as? String)
        XCTAssertEqual((served?["visits_in_progress"] as? [Any])?.count, 0, "idle: no visit in progress")
        XCTAssertEqual(try DaemonProcess.get(address, "/nothing").0, 404)

        // A second writer on the same storage is refused, and changes nothing.
        let sync = try ws.sediment(["sync"])
        XCTAssertEqual(sync.status, 1)
        XCTAssertTrue(sync.stderr.contains("in use by another sediment process"), sync.stderr)

        let status = daemon.stop(SIGTERM, timeout: Self.timeoutStopSec)
        XCTAssertEqual(status, 0, "SIGTERM stops the daemon with exit 0 within TimeoutStopSec\n\(daemon.log)")
        XCTAssertTrue(DaemonProcess.poll(timeout: 5) { notify.lines.contains("STOPPING=1") }, "STOPPING=1 on shutdown: \(notify.lines)")
        XCTAssertFalse(isListening(UInt16(address.split(separator: ":").last!)!), "the endpoint is closed")
        XCTAssertEqual(try ws.sediment(["verify"]).status, 0)
        // The log has one line per event, naming hub and package.
        XCTAssertTrue(daemon.log.contains("hub=ours") && daemon.log.contains("package=org/alpha") && daemon.log.contains("visited"), daemon.log)
        XCTAssertTrue(daemon.log.contains("package=org/gone") && daemon.log.contains("visit failed"), daemon.log)
        XCTAssertFalse(daemon.log.contains(secret), "no token in the log")
        XCTAssertFalse(statusBody.contains(secret) || metrics.contains(secret), "no token in the endpoint's answers")
    }

    func testScheduleSkipsWhatIsNotDueParksFailuresAndSurvivesRestart() throws {
        let missing = git.url("org/missing")
        try writeConfig([git.url("org/alpha.git"), missing], daemon: """
            interval = "1s"
            min_revisit = "1h"
            max_revisit = "2h"
            park_after = 1
            parked_revisit = "1h"
            """)
        var daemon = try startDaemon("first")
        XCTAssertTrue(try DaemonProcess.poll(timeout: 120) { try count("SELECT COUNT(*) FROM crawl WHERE finished_at IS NOT NULL") >= 3 }, daemon.log)
        XCTAssertEqual(daemon.stop(SIGTERM, timeout: Self.timeoutStopSec), 0, daemon.log)

        let visits = "SELECT COUNT(*) FROM visit v JOIN package p ON p.id = v.package_id WHERE p.package_id = "
        XCTAssertEqual(try count(visits + "'org/alpha'"), 1, "a package is not revisited before its time, however often its hub is crawled")
        XCTAssertEqual(try count(visits + "'org/missing'"), 1, "a parked package waits for parked_revisit")
        let rows = try query("""
            SELECT p.package_id, s.revisit_seconds, s.consecutive_failures, s.parked_at IS NOT NULL,
                   (julianday(s.next_visit) - julianday('now')) * 86400
            FROM package_schedule s JOIN package p ON p.id = s.package_id ORDER BY p.package_id
            """)
        XCTAssertEqual(rows.count, 2, "\(rows)")
        XCTAssertEqual(rows[0][0], "org/alpha")
        XCTAssertEqual(Double(rows[0][1]), 3600, "an eventful first visit: min_revisit bounds the interval")
        XCTAssertEqual(rows[0][2], "0")
        XCTAssertEqual(rows[0][3], "0")
        XCTAssertGreaterThan(Double(rows[0][4]) ?? 0, 3000, "next visit about an hour away (±10%)")
        XCTAssertEqual(rows[1][0], "org/missing")
        XCTAssertEqual(rows[1][2], "1")
        XCTAssertEqual(rows[1][3], "1", "parked after park_after failures")
        XCTAssertGreaterThan(Double(rows[1][4]) ?? 0, 3000)

        let status = try ws.sediment(["status", "--json"])
        let parked = (status.jsonLines.first?["parked"] as? [[String: Any]]) ?? []
        XCTAssertEqual(parked.map { $0["package"] as? String }, ["ours:org/missing"], status.out)
        XCTAssertTrue((parked.first?["error"] as? String ?? "").contains("missing"), status.out)
        XCTAssertTrue(try ws.sediment(["status"]).out.contains("parked packages"))

        // Upstream moves on; a restarted daemon resumes the schedule from the catalog instead
        // of revisiting everything.
        let work = ws.work + "/org/alpha"
        try ws.write("notes.md", "more\n", in: work)
        try ws.commitAll("more", in: work)
        try ws.git(["push", "-q", ws.served + "/org/alpha.git", "HEAD:refs/heads/main"], in: work)
        let crawlsBefore = try count("SELECT COUNT(*) FROM crawl")
        daemon = try startDaemon("second")
        XCTAssertTrue(try DaemonProcess.poll(timeout: 120) { try count("SELECT COUNT(*) FROM crawl WHERE finished_at IS NOT NULL") >= crawlsBefore + 2 }, daemon.log)
        XCTAssertEqual(daemon.stop(SIGTERM, timeout: Self.timeoutStopSec), 0, daemon.log)
        XCTAssertEqual(try count(visits + "'org/alpha'"), 1, "the schedule survived the restart")
        XCTAssertEqual(try count(visits + "'org/missing'"), 1)
        XCTAssertTrue(daemon.log.contains("not_due=2"), daemon.log)
    }
}
