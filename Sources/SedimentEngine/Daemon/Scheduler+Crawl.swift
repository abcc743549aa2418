import Foundation
import Logging
import SedimentStore

extension Scheduler {
    /// One crawl of one hub: with a new listing, or of its due packages from the daemon's
    /// latest listing. Returns false when the crawl itself failed (not a listing or a visit).
    @discardableResult
    func crawl(_ hub: String, listing: Bool, state: inout State) -> Bool {
        metrics.crawlStarted(hub: hub)
        notifier.status(listing ? "crawling \(hub): listing" : "crawling \(hub): due packages")
        logger.info(listing ? "crawl started" : "crawl of due packages started", metadata: ["hub": "\(hub)"])
        if listing { state.attempted.insert(hub) }
        let progress = CrawlProgress()
        let metrics = self.metrics, notifier = self.notifier
        var selection = Crawler.Selection(hubs: [hub])
        if !listing, let earlier = state.listings[hub] {
            selection.earlierListings = [hub: earlier]
        } else if !listing, crawler.fleet != nil, let configured = crawler.options.hubs.first(where: { $0.name == hub }),
                  let stored = try? crawler.storedListing(configured), !stored.isEmpty {
            // Another worker of the fleet listed the hub: its stored listing stands in for this one's.
            selection.earlierListings = [hub: stored]
        }
        do {
            let schedule = try PackageSchedule(catalog: archive.catalog, policy: policy, clock: { [clock] in clock.date }, logger: logger)
            let report = try crawler.crawl(selection, schedule: schedule, cancellation: cancellation) { event in
                switch event {
                case .planned(let total):
                    progress.set(done: 0, total: total)
                    metrics.setQueueDepth(total)
                    notifier.status("crawling \(hub): 0/\(total)")
                case .visitFinished(let outcome, let done, let total):
                    progress.set(done: done, total: total)
                    metrics.setQueueDepth(total - done)
                    if !outcome.interrupted { metrics.visited(outcome) }
                    notifier.status("crawling \(hub): \(done)/\(total)")
                default:
                    break
                }
            }
            metrics.setQueueDepth(0)
            updateParked()
            for _ in report.hubErrors { metrics.error(kind: "hub_listing") }
            if listing {
                state.listingSucceeded[hub] = report.hubErrors.isEmpty
                if report.hubErrors.isEmpty, let listed = report.listings[hub] { state.listings[hub] = listed }
            }
            let (done, total) = progress.value
            let failed = report.outcomes.filter(\.isFailure).count
            let eventful = report.outcomes.filter(\.eventful).count
            let metadata: Logger.Metadata = ["hub": "\(hub)", "visited": "\(done)", "planned": "\(total)", "failed": "\(failed)",
                                             "eventful": "\(eventful)", "not_due": "\(report.notDue)", "listed": "\(listing)"]
            for name in report.quarantined {
                logger.notice("package quarantined: it crashed the process; not visited until `sediment unpark` or a new version",
                               metadata: ["package": "\(name)"])
            }
            for name in report.unlisted {
                logger.notice("package no longer listed; marked unlisted, its archive stays", metadata: ["package": "\(name)"])
            }
            if report.interrupted {
                logger.notice("crawl interrupted; what it did not visit stays due", metadata: metadata)
            } else if !report.hubErrors.isEmpty {
                logger.error("crawl could not list the hub", metadata: metadata.merging(["error": "\(report.hubErrors.joined(separator: "; "))"]) { a, _ in a })
            } else {
                // The gauge moves only when the hub's listing succeeded and a visit did.
                if state.listingSucceeded[hub] == true && report.outcomes.contains(where: { !$0.isFailure }) {
                    metrics.crawlFinished(hub: hub, at: clock.date)
                }
                logger.info("crawl finished", metadata: metadata)
            }
            return true
        } catch {
            metrics.setQueueDepth(0)
            metrics.error(kind: "crawl")
            logger.error("crawl failed", metadata: ["hub": "\(hub)", "error": "\(error)"])
            if listing { state.listingSucceeded[hub] = false }
            return false
        }
    }
}

/// Visits done and planned in the crawl in progress.
private final class CrawlProgress: @unchecked Sendable {  // @unchecked: `lock` guards both vars
    private let lock = NSLock()
    private var done = 0
    private var total = 0

    func set(done: Int, total: Int) {
        lock.lock()
        self.done = max(self.done, done)
        self.total = total
        lock.unlock()
    }

    var value: (Int, Int) {
        lock.lock()
        defer { lock.unlock() }
        return (done, total)
    }
}
