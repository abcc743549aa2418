import Foundation
import SedimentStore

/// The daemon's scheduling rules, as pure decisions on an instant: when each hub is listed,
/// and when the packages of a hub are visited between listings.
///
/// Each hub is listed every `daemon.interval` (a listing that shows a new head makes that
/// package due at once). Each package is visited when its own next visit comes
/// (``RevisitPolicy``), between listings too, from the hub's latest listing: so
/// `min_revisit = "1h"` means hourly visits of an eventful package even with `interval = "6h"`.
/// A failed listing is retried after ``listingRetry``, doubling with each failure in a row,
/// never later than `min(interval, min_revisit)`.
public struct DaemonPlan: Sendable {
    public var interval: TimeInterval
    public var minRevisit: TimeInterval
    /// The first retry after a failed listing.
    public var listingRetry: TimeInterval = 60

    public init(interval: TimeInterval, minRevisit: TimeInterval) {
        self.interval = interval
        self.minRevisit = minRevisit
    }

    public init(_ daemon: Configuration.Daemon) {
        self.init(interval: daemon.interval, minRevisit: daemon.minRevisit)
    }

    /// When a hub is listed next after its latest listing; nil means at once (never listed, or
    /// the last listing was interrupted). A listing still running is another worker's (the
    /// daemon plans between its own crawls): the hub is listed again an interval after it began.
    public func nextListing(after last: ListingRecord?) -> Date? {
        guard let last, let started = Catalog.date(last.startedAt) else { return nil }
        switch last.state {
        case .finished, .running:
            return started.addingTimeInterval(interval)
        case .failed:
            let backoff = listingRetry * pow(2, Double(max(0, last.failuresInARow - 1)))
            return started.addingTimeInterval(min(backoff, interval, minRevisit))
        case .interrupted:
            return nil
        }
    }

    /// What the daemon knows of one hub at an instant.
    public struct Hub: Sendable, Equatable {
        public var name: String
        /// Its latest listing, from the catalog.
        public var lastListing: ListingRecord?
        /// Whether this daemon holds a listing of it (from a successful listing since it started).
        public var hasListing: Bool
        /// Whether this daemon has tried to list it since it started.
        public var attempted: Bool
        /// The earliest next visit of its packages that can be visited between listings
        /// (`.distantPast` when one was never visited by the daemon); nil when it has none.
        public var earliestDue: Date?

        public init(name: String, lastListing: ListingRecord?, hasListing: Bool, attempted: Bool, earliestDue: Date?) {
            self.name = name
            self.lastListing = lastListing
            self.hasListing = hasListing
            self.attempted = attempted
            self.earliestDue = earliestDue
        }
    }

    /// One piece of work for a hub.
    public enum Work: Sendable, Equatable {
        /// List the hub, then visit its due packages and those whose listing changed.
        case list(String)
        /// Visit the hub's due packages from the daemon's latest listing of it.
        case visit(String)
    }

    /// What to do at `now`, hub by hub in configuration order, and when to look again if
    /// there is nothing to do (nil: never, until stopped).
    public func decide(now: Date, hubs: [Hub]) -> (work: [Work], wake: Date?) {
        var work: [Work] = []
        var wake: Date?
        func later(_ date: Date) { wake = min(wake ?? date, date) }
        for hub in hubs {
            var listing = nextListing(after: hub.lastListing) ?? .distantPast
            if !hub.attempted && !hub.hasListing, let due = hub.earliestDue {
                // Freshly started: its due packages are visited from a new listing.
                listing = min(listing, due)
            }
            if listing <= now {
                work.append(.list(hub.name))
                continue
            }
            later(listing)
            if hub.hasListing, let due = hub.earliestDue {
                if due <= now {
                    work.append(.visit(hub.name))
                } else {
                    later(due)
                }
            }
        }
        return (work, work.isEmpty ? wake : nil)
    }
}
