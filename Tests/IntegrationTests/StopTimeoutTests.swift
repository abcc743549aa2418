import Foundation
import XCTest

/// The daemon's hard stop: a visit blocked where no cancellation reaches it does not hold a
/// SIGTERM past `daemon.stop_timeout`. The daemon exits 0 without it, says so, and forgets
/// the visit's `visit_running` row (so the next start does not count it as a crash).
final class StopTimeoutTests: XCTestCase {
    var ws: Workspace!

    override func setUpWithError() throws {
        ws = try Workspace()
    }

    override func tearDownWithError() throws {
        ws = nil
    }

    func runningVisits() throws -> Int {
        let rows = try ws.catalogRows("SELECT COUNT(*) FROM visit_running")
        return Int(rows.first?.first.flatMap { $0 } ?? "0") ?? 0
    }

    func testAVisitBlockedOnTheDiskDoesNotHoldTheStopPastStopTimeout() throws {
        let repo = try ws.newRepository("org/stuck")
        try ws.write("README.md", "# stuck\n", in: repo)
        try ws.commitAll("initial", in: repo)
        try ws.publish(repo, as: "org/stuck")
        // The served repository's config is a FIFO no one writes: opening it blocks the visit's
        // fetch in open(2), where neither the cancellation flag nor a socket deadline reaches.
        let config = ws.served + "/org/stuck.git/config"
        try FileManager.default.removeItem(atPath: config)
        XCTAssertEqual(mkfifo(config, 0o644), 0)
        let text = """
            [storage]
            path = "\(ws.store)"

            [daemon]
            listen = "127.0.0.1:0"
            interval = "1h"
            stop_timeout = "2s"

            [[hub]]
            kind = "git"
            name = "ours"
            repositories = ["\(ws.served)/org/stuck.git"]
            """
        try text.write(toFile: ws.configPath, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(config: ws.configPath, cwd: ws.root, logPath: ws.root + "/daemon.log")
        let running = DaemonProcess.poll(timeout: 120) { (try? runningVisits()) ?? 0 > 0 }
        XCTAssertTrue(running, "the visit started: \(daemon.log)")
        // Let the visit reach the FIFO (a stop before it would end the visit gracefully).
        Thread.sleep(forTimeInterval: 1)

        let status = daemon.stop(SIGTERM, timeout: DaemonTests.timeoutStopSec)
        XCTAssertEqual(status, 0, "the daemon exits 0 after stop_timeout, within TimeoutStopSec\n\(daemon.log)")
        XCTAssertTrue(daemon.log.contains("daemon.stop_timeout"), daemon.log)
        XCTAssertEqual(try runningVisits(), 0,
                       "the abandoned visit is forgotten, not left to be counted as a crash")
    }
}
