import Foundation
import SedimentEngine
import SedimentStore
import XCTest

/// The daemon's scheduling decisions, instant by instant on a manual timeline: hubs listed on
/// `interval`, packages visited when they are due in between, failed listings retried soon.
final class DaemonPlanTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let hour: TimeInterval = 3600
    let plan = DaemonPlan(interval: 6 * 3600, minRevisit: 3600)

    func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }

    func listed(_ seconds: TimeInterval, _ state: CrawlState = .finished, failures: Int = 0) -> ListingRecord {
        ListingRecord(startedAt: Catalog.timestamp(at(seconds)), state: state, failuresInARow: failures)
    }

    func hub(_ last: ListingRecord?, listing: Bool = true, attempted: Bool = true, due: Date?) -> DaemonPlan.Hub {
        DaemonPlan.Hub(name: "hf", lastListing: last, hasListing: listing, attempted: attempted, earliestDue: due)
    }

    func testPackagesAreVisitedWhenDueBetweenListings() {
        // Listed at t0; an eventful package is due again after min_revisit (1 h), the hub after interval (6 h).
        let h = hub(listed(0), due: at(hour))
        var decision = plan.decide(now: at(10), hubs: [h])
        XCTAssertEqual(decision.work, [], "nothing due yet")
        XCTAssertEqual(decision.wake, at(hour), "wakes for the due package, not for the next listing")
        decision = plan.decide(now: at(hour), hubs: [h])
        XCTAssertEqual(decision.work, [.visit("hf")], "min_revisit = 1h takes effect with interval = 6h: a visit, no listing")
        // After the visit the package is due in another hour, and so on until the listing.
        decision = plan.decide(now: at(hour + 1), hubs: [hub(listed(0), due: at(2 * hour))])
        XCTAssertEqual(decision.wake, at(2 * hour))
        decision = plan.decide(now: at(5.5 * hour), hubs: [hub(listed(0), due: at(6.5 * hour))])
        XCTAssertEqual(decision.wake, at(6 * hour), "the listing comes first")
        decision = plan.decide(now: at(6 * hour), hubs: [hub(listed(0), due: at(6.5 * hour))])
        XCTAssertEqual(decision.work, [.list("hf")], "listed on its interval")
        XCTAssertNil(decision.wake)
    }

    func testAListingDueWinsOverDuePackages() {
        let decision = plan.decide(now: at(7 * hour), hubs: [hub(listed(0), due: at(hour))])
        XCTAssertEqual(decision.work, [.list("hf")], "one crawl lists and visits the due packages")
    }

    func testAFailedListingIsRetriedSoonWithBackoffNotAfterTheInterval() {
        XCTAssertEqual(plan.nextListing(after: listed(0, .failed, failures: 1)), at(60), "a network outage at start-up costs a minute, not six hours")
        XCTAssertEqual(plan.nextListing(after: listed(0, .failed, failures: 2)), at(120))
        XCTAssertEqual(plan.nextListing(after: listed(0, .failed, failures: 4)), at(480))
        XCTAssertEqual(plan.nextListing(after: listed(0, .failed, failures: 20)), at(hour), "never later than min(interval, min_revisit)")
        let short = DaemonPlan(interval: 30, minRevisit: 3600)
        XCTAssertEqual(short.nextListing(after: listed(0, .failed, failures: 1)), at(30))
        XCTAssertEqual(plan.nextListing(after: listed(0)), at(6 * hour))
        XCTAssertNil(plan.nextListing(after: listed(0, .interrupted)), "an interrupted listing is redone at once")
        XCTAssertEqual(plan.nextListing(after: listed(0, .running)), at(6 * hour), "another worker's listing in progress is a listing")
        XCTAssertNil(plan.nextListing(after: nil), "a hub never listed is listed at once")

        // Started during an outage: the listing failed, no listing is held, packages are due.
        // The daemon waits for the retry instead of trying again in a loop.
        let down = hub(listed(0, .failed, failures: 1), listing: false, attempted: true, due: .distantPast)
        var decision = plan.decide(now: at(1), hubs: [down])
        XCTAssertEqual(decision.work, [])
        XCTAssertEqual(decision.wake, at(60))
        decision = plan.decide(now: at(60), hubs: [down])
        XCTAssertEqual(decision.work, [.list("hf")])
    }

    func testAtStartUpDuePackagesAreVisitedFromAFreshListing() {
        // Restarted an hour after a listing: the next listing is 5 h away, but a package is due
        // now, and the daemon holds no listing yet: it lists now.
        let fresh = hub(listed(-hour), listing: false, attempted: false, due: at(-60))
        XCTAssertEqual(plan.decide(now: t0, hubs: [fresh]).work, [.list("hf")])
        // Nothing due: it waits for the earlier of the next listing and the first due package.
        let quiet = hub(listed(-hour), listing: false, attempted: false, due: at(2 * hour))
        let decision = plan.decide(now: t0, hubs: [quiet])
        XCTAssertEqual(decision.work, [])
        XCTAssertEqual(decision.wake, at(2 * hour))
    }

    func testSeveralHubsEachOnTheirOwnTime() {
        var a = hub(listed(0), due: at(3 * hour))
        a.name = "a"
        var b = hub(listed(-5 * hour), due: nil)
        b.name = "b"
        var decision = plan.decide(now: at(10), hubs: [a, b])
        XCTAssertEqual(decision.wake, at(hour), "b's listing is due at t0 + 1 h")
        decision = plan.decide(now: at(3 * hour), hubs: [a, b])
        XCTAssertEqual(decision.work, [.visit("a"), .list("b")])
        let none = plan.decide(now: t0, hubs: [])
        XCTAssertEqual(none.work, [])
        XCTAssertNil(none.wake, "no hub: nothing to wake for")
    }

    /// A crawl of a worker of a fleet (which may run on another machine, where its pid means
    /// nothing) runs while its worker is heard of and has not stopped.
    func testAWorkersCrawlRunsWhileItsWorkerIsHeardOf() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let recent = Catalog.timestamp(now.addingTimeInterval(-30)), old = Catalog.timestamp(now.addingTimeInterval(-3600))
        XCTAssertEqual(CrawlState.effective("running", pid: 999_999, worker: "elsewhere:1:a", stoppedAt: nil, heartbeatAt: recent, now: now), .running)
        XCTAssertEqual(CrawlState.effective("running", pid: 999_999, worker: "elsewhere:1:a", stoppedAt: nil, heartbeatAt: old, now: now), .interrupted)
        XCTAssertEqual(CrawlState.effective("running", pid: 999_999, worker: "elsewhere:1:a", stoppedAt: recent, heartbeatAt: recent, now: now), .interrupted)
        XCTAssertEqual(CrawlState.effective("finished", pid: nil, worker: "elsewhere:1:a", stoppedAt: nil, heartbeatAt: recent, now: now), .finished)
        XCTAssertEqual(CrawlState.effective("running", pid: 999_999, worker: nil, stoppedAt: nil, heartbeatAt: nil, now: now), .interrupted,
                       "without a worker, the pid decides")
    }
}
