import Foundation
import SedimentHubs
import SedimentStore

/// When to visit a package again, after the manner of Software Heritage's adaptive
/// scheduler: an eventful visit halves the package's revisit interval, a quiet one doubles
/// it, always within `[min_revisit, max_revisit]` and with ±10% jitter so that packages
/// first seen together drift apart. A failed visit backs off exponentially from
/// `min_revisit`; after `park_after` failures in a row the package is parked and retried
/// only every `parked_revisit`, or at once when its hub listing changes.
///
/// A visit that failed for want of a local resource (descriptors, disk space, memory:
/// ``LocalResourceFailure``) says nothing of the package: it counts no failure, parks nothing,
/// and the package is tried again after `min_revisit`. A package quarantined because it crashed
/// the process is visited again only when its listing changes (or after `sediment unpark`).
public struct RevisitPolicy: Sendable {
    public var minimum: TimeInterval
    public var maximum: TimeInterval
    /// The interval of a package never visited before.
    public var initial: TimeInterval
    public var parkAfter: Int
    public var parkedRevisit: TimeInterval
    /// The jitter's share of an interval (0.1: ±10%).
    public var jitter: Double = 0.1
    /// A uniform random number in [0, 1).
    public var random: @Sendable () -> Double = { Double.random(in: 0..<1) }

    public init(minimum: TimeInterval, maximum: TimeInterval, initial: TimeInterval, parkAfter: Int, parkedRevisit: TimeInterval) {
        self.minimum = minimum
        self.maximum = max(minimum, maximum)
        self.initial = initial
        self.parkAfter = max(1, parkAfter)
        self.parkedRevisit = parkedRevisit
    }

    public init(_ daemon: Configuration.Daemon) {
        self.init(minimum: daemon.minRevisit, maximum: daemon.maxRevisit, initial: daemon.interval,
                  parkAfter: daemon.parkAfter, parkedRevisit: daemon.parkedRevisit)
    }

    /// What the hub's listing says of a package, to notice when it changes: its reported head,
    /// else its repository.
    public static func listing(of ref: PackageRef) -> String {
        ref.reportedHead ?? ref.repository
    }

    /// Whether a package is due at `now`: never scheduled, its time has come, or its hub
    /// listing changed since its last visit (which also wakes a parked package).
    public func isDue(_ record: ScheduleRecord?, listing: String, now: Date) -> Bool {
        guard let record else { return true }
        if record.listing != listing { return true }
        if record.quarantined { return false }
        return record.nextVisit <= now
    }

    /// The schedule after a visit that ended with `outcome`.
    public func next(after previous: ScheduleRecord?, package: Int64, outcome: VisitOutcome, listing: String, now: Date) -> ScheduleRecord {
        if outcome.localFailure {
            // Not the package's failure: nothing advances, and it is tried again soon.
            var record = previous ?? ScheduleRecord(packageRowID: package, nextVisit: now, revisitSeconds: 0)
            record.lastVisit = now
            record.lastStatus = outcome.status.rawValue
            record.nextVisit = now.addingTimeInterval(jittered(minimum))
            return record
        }
        // A row written only to count crashes has no interval yet (no visit was recorded).
        let current = clamp(previous.flatMap { $0.lastVisit == nil ? nil : $0.revisitSeconds } ?? initial)
        var record = ScheduleRecord(packageRowID: package, nextVisit: now, revisitSeconds: current,
                                    consecutiveFailures: 0, parkedAt: nil, listing: listing,
                                    lastVisit: now, lastStatus: outcome.status.rawValue)
        let delay: TimeInterval
        if outcome.isFailure {
            record.consecutiveFailures = (previous?.consecutiveFailures ?? 0) + 1
            if record.consecutiveFailures >= parkAfter {
                record.parkedAt = previous?.parkedAt ?? now
                delay = parkedRevisit
            } else {
                delay = min(maximum, minimum * pow(2, Double(record.consecutiveFailures - 1)))
            }
        } else {
            record.revisitSeconds = clamp(outcome.eventful ? current / 2 : current * 2)
            delay = record.revisitSeconds
        }
        record.nextVisit = now.addingTimeInterval(jittered(delay))
        return record
    }

    private func clamp(_ seconds: TimeInterval) -> TimeInterval {
        min(maximum, max(minimum, seconds))
    }

    private func jittered(_ seconds: TimeInterval) -> TimeInterval {
        seconds * (1 + jitter * (2 * random() - 1))
    }
}
