import Foundation
import Logging
import SedimentHubs
import SedimentStore

/// The per-package schedule of one crawl: which listed packages are due, and each recorded
/// visit's next time, written to the catalog as soon as the visit is recorded (so a restart
/// resumes where it stopped, and a visit interrupted before it was recorded stays due).
final class PackageSchedule: CrawlSchedule, @unchecked Sendable {  // @unchecked: `lock` guards `records`
    private let catalog: Catalog
    private let policy: RevisitPolicy
    private let clock: @Sendable () -> Date
    private let logger: Logger
    private let lock = NSLock()
    private var records: [Int64: ScheduleRecord]

    init(catalog: Catalog, policy: RevisitPolicy, clock: @escaping @Sendable () -> Date, logger: Logger) throws {
        self.catalog = catalog
        self.policy = policy
        self.clock = clock
        self.logger = logger
        records = try catalog.schedules()
    }

    func isDue(_ package: PackageRecord, _ ref: PackageRef) -> Bool {
        lock.lock()
        let record = records[package.rowID]
        lock.unlock()
        return policy.isDue(record, listing: RevisitPolicy.listing(of: ref), now: clock())
    }

    func visited(_ package: PackageRecord, _ ref: PackageRef, _ outcome: VisitOutcome) {
        lock.lock()
        let previous = records[package.rowID]
        let next = policy.next(after: previous, package: package.rowID, outcome: outcome, listing: RevisitPolicy.listing(of: ref), now: clock())
        records[package.rowID] = next
        lock.unlock()
        do {
            try catalog.saveSchedule(next)
        } catch {
            // The visit is recorded; without its schedule row the package is simply due again.
            logger.error("cannot save the schedule", metadata: ["hub": "\(ref.hub)", "package": "\(ref.id)", "error": "\(error)"])
        }
        if next.parked && previous?.parked != true {
            logger.warning("package parked after repeated failures", metadata: [
                "hub": "\(ref.hub)", "package": "\(ref.id)", "failures": "\(next.consecutiveFailures)", "next_visit": "\(Catalog.timestamp(next.nextVisit))"])
        }
    }
}
