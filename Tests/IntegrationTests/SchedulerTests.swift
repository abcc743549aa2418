import Foundation
import Logging
@testable import SedimentEngine
import SedimentStore
import XCTest

/// The daemon's scheduling loop on a manual clock, against real repositories: packages are
/// visited on their own due times between listings, hubs are listed on `interval`, a hub that
/// cannot be listed at start-up is retried within minutes.
final class SchedulerTests: XCTestCase {
    var ws: Workspace!

    override func setUpWithError() throws {
        ws = try Workspace()
    }

    override func tearDownWithError() throws {
        ws = nil
    }

    func count(_ sql: String) throws -> Int { Int(try ws.catalogRows(sql).first?.first.flatMap { $0 } ?? "0") ?? 0 }

    func testPackagesAreVisitedWhenDueBetweenListingsOnAManualClock() throws {
        try ws.publishModels(["org/alpha", "org/beta"])
        let closed = freePort()
        let text = """
            [storage]
            path = "\(ws.store)"

            [daemon]
            interval = "6h"
            min_revisit = "1h"
            max_revisit = "1h"
            concurrency = 1

            [http]
            max_attempts = 1

            [[hub]]
            kind = "git"
            name = "ours"
            repositories = ["\(ws.served)/org/alpha.git", "\(ws.served)/org/beta.git"]

            [[hub]]
            kind = "git"
            name = "broken"
            repositories = ["\(ws.served)/org/missing.git"]

            [[hub]]
            kind = "huggingface"
            name = "down"
            endpoint = "http://127.0.0.1:\(closed)"
            """
        let configuration = try Configuration.parse(text, file: "test.toml")
        let archive = try Archive.openForWriting(configuration)
        let t0 = Date()
        let clock = ManualClock(t0)
        let metrics = DaemonMetrics()
        let scheduler = Scheduler(archive: archive, options: DaemonOptions(configuration), metrics: metrics, notifier: SystemdNotifier(environment: [:]),
                                  logger: Logger(label: "test"), clock: clock, environment: [:])
        let stopped = DispatchSemaphore(value: 0)
        let running = Task {
            try? await scheduler.run()
            stopped.signal()
        }
        defer {
            running.cancel()
            _ = stopped.wait(timeout: .now() + 120)
        }

        func crawls(_ hub: String, listing: Bool) throws -> Int {
            try count("SELECT COUNT(*) FROM crawl WHERE hub = '\(hub)' AND listing = \(listing ? 1 : 0)")
        }
        let alphaVisits = "SELECT COUNT(*) FROM visit v JOIN package p ON p.id = v.package_id WHERE p.package_id LIKE '%/org/alpha'"

        // Start-up: each hub listed once; the down hub's listing failed and is retried in a minute.
        var sleeps = 1
        var wake = try XCTUnwrap(clock.waitForSleep(sleeps), "the scheduler goes to sleep")
        XCTAssertEqual(try crawls("ours", listing: true), 1)
        XCTAssertEqual(try count(alphaVisits), 1)
        XCTAssertEqual(try count("SELECT COUNT(*) FROM crawl WHERE hub = 'down' AND state = 'failed' AND error IS NOT NULL"), 1)
        XCTAssertEqual(wake.timeIntervalSince(t0), 60, accuracy: 1, "a hub that cannot be listed is retried in a minute, not after interval")
        XCTAssertEqual(try count("SELECT COUNT(*) FROM crawl WHERE state = 'running' OR finished_at IS NULL"), 0, "every crawl ended")

        // Move time on, wake-up by wake-up, up to just before the next listing of `ours`.
        var commitPushed = false
        while wake < t0.addingTimeInterval(6 * 3600 - 1) {
            if !commitPushed && wake > t0.addingTimeInterval(3 * 3600) {
                // Upstream moves on between listings: the next due visit fetches it.
                let work = ws.work + "/org/alpha"
                try ws.write("notes.md", "more\n", in: work)
                try ws.commitAll("more", in: work)
                try ws.publish(work, as: "org/alpha")
                commitPushed = true
            }
            clock.advance(to: wake)
            sleeps += 1
            wake = try XCTUnwrap(clock.waitForSleep(sleeps), "the scheduler sleeps again after its work")
        }
        XCTAssertEqual(try crawls("ours", listing: true), 1, "no listing before interval")
        XCTAssertGreaterThanOrEqual(try crawls("ours", listing: false), 4, "due packages visited between listings")
        XCTAssertGreaterThanOrEqual(try count(alphaVisits), 5, "min_revisit = 1h takes effect with interval = 6h")
        XCTAssertLessThanOrEqual(try count(alphaVisits), 8, "and no more often than min_revisit (±10%)")
        XCTAssertEqual(try count("SELECT COUNT(*) FROM snapshot s JOIN package p ON p.id = s.package_id WHERE p.package_id LIKE '%/org/alpha'"), 2,
                       "a visit between listings goes to git and archives the new commit")
        XCTAssertGreaterThanOrEqual(try count("SELECT COUNT(*) FROM crawl WHERE hub = 'down' AND state = 'failed'"), 5,
                                    "the down hub is retried again and again, backing off")
        XCTAssertLessThanOrEqual(try count("SELECT COUNT(*) FROM crawl WHERE hub = 'down'"), 12)

        // The listing comes on its interval.
        clock.advance(to: t0.addingTimeInterval(6 * 3600 + 1))
        sleeps += 1
        _ = try XCTUnwrap(clock.waitForSleep(sleeps))
        XCTAssertEqual(try crawls("ours", listing: true), 2, "listed again after interval")

        // The gauge of the last successful crawl moves only for a hub listed with a visit that succeeded.
        let text2 = metrics.text()
        XCTAssertTrue(text2.contains("sediment_last_successful_crawl_timestamp_seconds{hub=\"ours\"}"), text2)
        XCTAssertFalse(text2.contains("sediment_last_successful_crawl_timestamp_seconds{hub=\"broken\"}"), "its only visit always fails: \(text2)")
        XCTAssertFalse(text2.contains("sediment_last_successful_crawl_timestamp_seconds{hub=\"down\"}"), "never listed: \(text2)")

        // Stopping wakes the sleeping scheduler at once.
        running.cancel()
        XCTAssertEqual(stopped.wait(timeout: .now() + 120), .success, "cancelling the service ends the loop")
        stopped.signal()
    }
}
