import Foundation
import Logging
import SedimentHubs
import SedimentStore
import ServiceLifecycle

/// The scheduling loop, a service of the daemon: at each wake-up it asks ``DaemonPlan`` what
/// is due, lists the hubs whose listing is due and visits the packages that are due (on the
/// ``BlockingPool``: visits block on libgit2 and the disk), then sleeps on the injected clock
/// until the earliest next listing or next due package.
///
/// On graceful shutdown no new visit starts, fetches in progress are aborted, and the loop
/// ends once the crawl in progress has ended. Should the service group cancel it (its
/// graceful shutdown lasted `daemon.stop_timeout`), it stops waiting for the visits still
/// busy and returns: the process exits, and what they wrote is rolled back at the next start.
final class Scheduler: Service {
    let archive: Archive
    let options: DaemonOptions
    let metrics: DaemonMetrics
    let notifier: SystemdNotifier
    let logger: Logger
    let clock: any DaemonClock
    let threads: BlockingPool
    let crawler: Crawler
    let cancellation = CancellationFlag()
    let policy: RevisitPolicy
    let plan: DaemonPlan

    /// What the loop remembers from one step to the next.
    struct State: Sendable {
        /// Each hub's latest successful listing by this daemon: what its packages are visited
        /// from between listings.
        var listings: [String: [PackageRef]] = [:]
        /// Hubs this daemon has tried to list.
        var attempted = Set<String>()
        /// Whether each hub's latest listing attempt succeeded (the last-successful-crawl gauge
        /// moves only then, and only when a visit succeeded).
        var listingSucceeded: [String: Bool] = [:]
        /// The idle status last logged.
        var lastIdle = ""
    }

    init(archive: Archive, options: DaemonOptions, metrics: DaemonMetrics, notifier: SystemdNotifier, logger: Logger, clock: any DaemonClock,
         environment: [String: String], threads: BlockingPool = .shared) {
        self.archive = archive
        self.options = options
        self.metrics = metrics
        self.notifier = notifier
        self.logger = logger
        self.clock = clock
        self.threads = threads
        crawler = Crawler(archive: archive, options: options.crawl, logger: logger, clock: { [clock] in clock.date }, environment: environment)
        policy = RevisitPolicy(options.daemon)
        plan = DaemonPlan(options.daemon)
    }

    /// Runs until graceful shutdown or cancellation.
    func run() async throws {
        let cancellation = self.cancellation
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await loop()
            } onCancel: {
                cancellation.raise()
            }
        } onGracefulShutdown: { [logger, notifier] in
            logger.notice("stopping: no new visit starts; visits in progress finish or roll back")
            notifier.notify("STOPPING=1\nSTATUS=stopping: finishing the visits in progress")
            // Transfers notice it while they wait (Sediment's socket stream, the HTTP client's
            // progress callback).
            cancellation.raise()
        }
    }

    private func loop() async {
        var state = State()
        do {
            try await threads.runUnlessCancelled { [self] in start() }
            // A sleep that graceful shutdown ended may return before its handler raised the flag.
            while !cancellation.isRaised && !Task.isShuttingDownGracefully {
                let (wake, next) = try await threads.runUnlessCancelled { [self, state] in
                    var state = state
                    let wake = step(&state)
                    return (wake, state)
                }
                state = next
                if let wake { await sleep(until: wake) }
            }
        } catch {
            // Cancelled while a step was busy: the service group's graceful shutdown lasted
            // daemon.stop_timeout. Exit anyway; what the visits wrote is rolled back at the
            // next start, exactly as after a kill, and they are redone.
            let timeout = Int(options.daemon.stopTimeout)
            logger.warning("visits still running \(timeout) s after the stop (daemon.stop_timeout); exiting, they will be redone")
            notifier.notify("STATUS=stopped with visits in progress; they are redone at the next start")
            let archive = self.archive
            // On a thread of its own: the pool's are busy with the visits left behind.
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                Thread.detachNewThread {
                    archive.forgetRunningVisitsBeforeExit()
                    done.resume()
                }
            }
        }
    }

    /// Sleeps on the clock until `wake`, or until graceful shutdown or cancellation.
    private func sleep(until wake: Date) async {
        let clock = self.clock
        try? await cancelWhenGracefulShutdown {
            try await clock.sleep(until: WallInstant(wake), tolerance: nil)
        }
    }

    /// Before the first step: the gauges from the catalog, and READY=1.
    private func start() {
        updateParked()
        for (hub, finished) in (try? archive.catalog.lastSuccessfulCrawls()) ?? [:] {
            if let date = Catalog.date(finished) { metrics.crawlFinished(hub: hub, at: date) }
        }
        let hubs = options.hubs
        notifier.notify("READY=1\nSTATUS=ready: \(hubs.count) hub\(hubs.count == 1 ? "" : "s") scheduled")
        logger.notice("ready", metadata: ["hubs": "\(hubs.map(\.name).joined(separator: ","))"])
    }

    /// One wake-up: does what is due; returns when to wake next (nil: at once).
    private func step(_ state: inout State) -> Date? {
        let now = clock.date
        let decision: (work: [DaemonPlan.Work], wake: Date?)
        do {
            decision = plan.decide(now: now, hubs: try hubViews(state))
        } catch {
            logger.error("cannot read the schedule from the catalog; trying again in a minute", metadata: ["error": "\(error)"])
            metrics.error(kind: "storage")
            return now.addingTimeInterval(60)
        }
        if !decision.work.isEmpty {
            var threw = false
            for work in decision.work where !cancellation.isRaised {
                switch work {
                case .list(let hub): threw = !crawl(hub, listing: true, state: &state) || threw
                case .visit(let hub): threw = !crawl(hub, listing: false, state: &state) || threw
                }
            }
            state.lastIdle = ""
            // A crawl that failed before it could record anything would be due again at once.
            return threw ? now.addingTimeInterval(plan.listingRetry) : nil
        }
        guard let wake = decision.wake else {
            notifier.status("idle: nothing to schedule")
            return .distantFuture
        }
        let idle = "idle: next work at \(Catalog.timestamp(wake))"
        if idle != state.lastIdle {
            logger.info("waiting for the next listing or due package", metadata: ["at": "\(Catalog.timestamp(wake))"])
            state.lastIdle = idle
        }
        notifier.status(idle)
        return wake
    }

    /// What the plan needs to know of each configured hub now.
    private func hubViews(_ state: State) throws -> [DaemonPlan.Hub] {
        let catalog = archive.catalog
        let last = try catalog.lastListings()
        let schedules = try catalog.schedules()
        var views: [DaemonPlan.Hub] = []
        for hub in options.hubs {
            let known = try catalog.packages(hubs: [hub.name]).filter { !$0.deleted && !$0.unlisted && $0.repositoryRowID != nil }
            // Between listings, only packages of the daemon's listing are visited (the crawler's own rule).
            var candidates = known
            if let listed = state.listings[hub.name] {
                let ids = Set(listed.filter { !$0.repository.isEmpty }.map(\.id))
                candidates = known.filter { ids.contains($0.id) }
            }
            // A quarantined package waits for a new listing, whatever its next_visit says.
            let due = candidates.filter { schedules[$0.rowID]?.quarantined != true }
                .map { package in schedules[package.rowID]?.nextVisit ?? .distantPast }.min()
            views.append(DaemonPlan.Hub(name: hub.name, lastListing: last[hub.name], hasListing: state.listings[hub.name] != nil,
                                        attempted: state.attempted.contains(hub.name), earliestDue: due))
        }
        return views
    }

    func updateParked() {
        if let parked = try? archive.catalog.parkedPackages() { metrics.setParked(parked.count, quarantined: parked.filter(\.quarantined).count) }
    }
}
