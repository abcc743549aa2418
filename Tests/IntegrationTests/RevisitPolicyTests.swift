import Foundation
import SedimentEngine
import SedimentHubs
import SedimentStore
import XCTest

/// The adaptive revisit schedule, decision by decision.
final class RevisitPolicyTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func outcome(eventful: Bool = false, status: VisitStatus = .full) -> VisitOutcome {
        VisitOutcome(hub: "hf", package: "a/b", status: status, eventful: eventful, error: status == .full ? nil : "boom",
                     objectsReceived: 0, bytesReceived: 0, newCommits: 0, newBlobs: 0, hashedBytes: 0, lostRefs: 0, snapshot: nil)
    }

    func policy(jitter: Double = 0) -> RevisitPolicy {
        var policy = RevisitPolicy(minimum: 3600, maximum: 8 * 3600, initial: 4 * 3600, parkAfter: 3, parkedRevisit: 86400)
        policy.jitter = jitter
        return policy
    }

    func delay(_ record: ScheduleRecord) -> TimeInterval {
        record.nextVisit.timeIntervalSince(now)
    }

    func testEventfulVisitsHalveAndQuietOnesDoubleWithinBounds() {
        let p = policy()
        var record = p.next(after: nil, package: 1, outcome: outcome(eventful: true), listing: "x", now: now)
        XCTAssertEqual(record.revisitSeconds, 2 * 3600)
        XCTAssertEqual(delay(record), 2 * 3600, accuracy: 0.01)
        record = p.next(after: record, package: 1, outcome: outcome(eventful: true), listing: "x", now: now)
        XCTAssertEqual(record.revisitSeconds, 3600)
        record = p.next(after: record, package: 1, outcome: outcome(eventful: true), listing: "x", now: now)
        XCTAssertEqual(record.revisitSeconds, 3600, "never below min_revisit")
        for _ in 0..<5 { record = p.next(after: record, package: 1, outcome: outcome(), listing: "x", now: now) }
        XCTAssertEqual(record.revisitSeconds, 8 * 3600, "never above max_revisit")
        XCTAssertEqual(record.consecutiveFailures, 0)
        XCTAssertNil(record.parkedAt)
    }

    func testJitterStaysWithinTenPercentAndSpreadsPackages() {
        var p = policy(jitter: 0.1)
        var delays: [TimeInterval] = []
        for value in stride(from: 0.0, to: 1.0, by: 0.05) {
            p.random = { value }
            delays.append(delay(p.next(after: nil, package: 1, outcome: outcome(), listing: "x", now: now)))
        }
        XCTAssertGreaterThanOrEqual(delays.min()!, 8 * 3600 * 0.9 - 0.01)
        XCTAssertLessThanOrEqual(delays.max()!, 8 * 3600 * 1.1 + 0.01)
        XCTAssertGreaterThan(delays.max()! - delays.min()!, 8 * 3600 * 0.15, "the jitter spreads packages apart")
    }

    func testFailuresBackOffThenParkAndAChangedListingWakesIt() {
        let p = policy()
        let base = p.next(after: nil, package: 1, outcome: outcome(eventful: true), listing: "sha1", now: now)
        let first = p.next(after: base, package: 1, outcome: outcome(status: .failed), listing: "sha1", now: now)
        XCTAssertEqual(first.consecutiveFailures, 1)
        XCTAssertEqual(delay(first), 3600, accuracy: 0.01)
        XCTAssertEqual(first.revisitSeconds, base.revisitSeconds, "failures do not change the revisit interval")
        let second = p.next(after: first, package: 1, outcome: outcome(status: .failed), listing: "sha1", now: now)
        XCTAssertEqual(delay(second), 7200, accuracy: 0.01, "exponential backoff")
        XCTAssertNil(second.parkedAt)
        let third = p.next(after: second, package: 1, outcome: outcome(status: .failed), listing: "sha1", now: now)
        XCTAssertNotNil(third.parkedAt, "parked after park_after failures in a row")
        XCTAssertEqual(delay(third), 86400, accuracy: 0.01, "retried every parked_revisit")

        let later = now.addingTimeInterval(3600)
        XCTAssertFalse(p.isDue(third, listing: "sha1", now: later))
        XCTAssertTrue(p.isDue(third, listing: "sha2", now: later), "a changed hub listing wakes a parked package at once")
        XCTAssertTrue(p.isDue(third, listing: "sha1", now: now.addingTimeInterval(86401)))
        XCTAssertTrue(p.isDue(nil, listing: "sha1", now: now), "a package never visited is due")

        let recovered = p.next(after: third, package: 1, outcome: outcome(), listing: "sha2", now: later)
        XCTAssertNil(recovered.parkedAt, "a successful visit unparks")
        XCTAssertEqual(recovered.consecutiveFailures, 0)
    }

    func testADeletedPackageIsNotAFailure() {
        var gone = outcome(status: .notFound)
        gone.deletedUpstream = true
        let record = policy().next(after: nil, package: 1, outcome: gone, listing: "x", now: now)
        XCTAssertEqual(record.consecutiveFailures, 0)
        XCTAssertEqual(record.lastStatus, "not-found")
    }
}
