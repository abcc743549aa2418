import Foundation
import SedimentEngine
import SedimentGit
import SedimentStore
import XCTest

/// A visit that failed because this machine ran out of descriptors, disk or memory is not
/// the package's failure: it never advances the failure count or parks the package; and a
/// package that crashed the process is left alone until its listing changes.
final class LocalResourceFailureTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func policy() -> RevisitPolicy {
        var policy = RevisitPolicy(minimum: 3600, maximum: 8 * 3600, initial: 4 * 3600, parkAfter: 2, parkedRevisit: 7 * 86400)
        policy.jitter = 0
        return policy
    }

    func failed(_ error: Error) -> VisitOutcome {
        var outcome = VisitOutcome(hub: "hf", package: "a/b", status: .failed, eventful: false, error: "\(error)",
                                   objectsReceived: 0, bytesReceived: 0, newCommits: 0, newBlobs: 0, hashedBytes: 0, lostRefs: 0, snapshot: nil)
        outcome.localFailure = LocalResourceFailure.matches(error)
        return outcome
    }

    func testLocalResourceErrorsAreToldFromThePackagesOwn() {
        let local: [Error] = [
            POSIXError(.EMFILE),
            POSIXError(.ENOSPC),
            BlobStoreError.io(operation: "create", path: "/var/lib/sediment/blobs/tmp", errno: ENFILE),
            GitError(resultCode: -1, errorClass: 2, message: "failed to create socket: Too many open files", operation: "fetch",
                     context: "https://hub.example/org/model"),
            FileError("write the manifest", path: "/var/lib/sediment/blobs/ab/cd", errno: ENOSPC),
        ]
        for error in local {
            XCTAssertTrue(LocalResourceFailure.matches(error), "\(error)")
        }
        let packages: [Error] = [
            POSIXError(.ECONNREFUSED),
            // An allocation a repository provoked (an object claiming a huge size) is the package's.
            GitError(resultCode: -1, errorClass: 1, message: "out of memory", operation: "fetch", context: "https://hub.example/org/model"),
            GitError(resultCode: -1, errorClass: 12, message: "remote: fatal: No space left on device", operation: "fetch",
                     context: "https://hub.example/org/model"),
            GitError(resultCode: -1, errorClass: 34, message: "unexpected http status code: 507", operation: "fetch", context: "https://hub.example/x"),
            GitError(resultCode: -3, errorClass: 6, message: "could not find repository at 'https://hub.example/too-many-open-files'",
                     operation: "fetch", context: "https://hub.example/too-many-open-files"),
            FileError("read", path: "/x/No space left on device.md", cause: "permission denied"),
        ]
        for error in packages {
            XCTAssertFalse(LocalResourceFailure.matches(error), "\(error)")
        }
    }

    func testALocalResourceFailureNeitherCountsNorParks() {
        let p = policy()
        let emfile = failed(POSIXError(.EMFILE))
        XCTAssertTrue(emfile.localFailure)
        let remote = failed(GitError(resultCode: -1, errorClass: 34, message: "unexpected http status code: 500", operation: "fetch", context: "u"))
        XCTAssertFalse(remote.localFailure)

        // One failure of the package's own, then any number of local ones: still one, not parked.
        var record = p.next(after: nil, package: 1, outcome: remote, listing: "x", now: now)
        XCTAssertEqual(record.consecutiveFailures, 1)
        for _ in 0..<5 {
            record = p.next(after: record, package: 1, outcome: emfile, listing: "x", now: now)
        }
        XCTAssertEqual(record.consecutiveFailures, 1, "a local failure does not count against the package")
        XCTAssertNil(record.parkedAt, "nor parks it")
        XCTAssertEqual(record.nextVisit.timeIntervalSince(now), 3600, accuracy: 0.01, "tried again after min_revisit")
        XCTAssertEqual(record.lastStatus, "failed")
        // A second failure of its own parks it (park_after = 2): counting still works.
        record = p.next(after: record, package: 1, outcome: remote, listing: "x", now: now)
        XCTAssertNotNil(record.parkedAt)
        // A parked package stays parked through local failures, and keeps its failures.
        let parked = record
        record = p.next(after: record, package: 1, outcome: emfile, listing: "x", now: now)
        XCTAssertEqual(record.parkedAt, parked.parkedAt)
        XCTAssertEqual(record.consecutiveFailures, 2)
    }

    func testAQuarantinedPackageIsDueOnlyWhenItsListingChanges() {
        let p = policy()
        let quarantined = ScheduleRecord(packageRowID: 1, nextVisit: now.addingTimeInterval(-86400), revisitSeconds: 3600,
                                         parkedAt: now, listing: "head1", parkedReason: ScheduleRecord.crashReason, crashes: 2)
        XCTAssertTrue(quarantined.quarantined)
        XCTAssertFalse(p.isDue(quarantined, listing: "head1", now: now.addingTimeInterval(365 * 86400)), "its time never comes")
        XCTAssertTrue(p.isDue(quarantined, listing: "head2", now: now), "a new version wakes it")
        // A visit that ran to its end releases it.
        let visited = p.next(after: quarantined, package: 1,
                             outcome: VisitOutcome(hub: "hf", package: "a/b", status: .full, eventful: true, error: nil, objectsReceived: 0,
                                                   bytesReceived: 0, newCommits: 1, newBlobs: 0, hashedBytes: 0, lostRefs: 0, snapshot: nil),
                             listing: "head2", now: now)
        XCTAssertFalse(visited.quarantined)
        XCTAssertEqual(visited.crashes, 0)
        XCTAssertNil(visited.parkedAt)
    }
}
