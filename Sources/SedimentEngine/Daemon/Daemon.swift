import Foundation
import Logging
import SedimentGit
import SedimentHubs
import SedimentStore
import ServiceLifecycle

/// `sediment daemon`: lists each hub every `daemon.interval` and visits each package when
/// the adaptive schedule finds it due (``DaemonPlan``); serves `/metrics`, `/healthz` and
/// `/status`; speaks systemd's notify protocol; stops gracefully on SIGTERM or SIGINT.
///
/// Services, in start order (graceful shutdown runs in reverse, so visits finish first while
/// the watchdog keeps pinging and the endpoint keeps answering):
/// the status endpoint, the watchdog, the scheduler.
public final class Daemon: @unchecked Sendable {
    public let archive: Archive
    public let metrics = DaemonMetrics()
    public let notifier: SystemdNotifier
    private let logger: Logger
    private let clock: DaemonClock
    private let environment: [String: String]

    public init(archive: Archive, logger: Logger, environment: [String: String] = ProcessInfo.processInfo.environment,
                clock: DaemonClock = SystemDaemonClock()) {
        self.archive = archive
        self.logger = logger
        self.environment = environment
        self.clock = clock
        notifier = SystemdNotifier(environment: environment)
    }

    /// Runs until SIGTERM or SIGINT, then returns once in-flight visits finished or were
    /// rolled back. Throws when the endpoint cannot listen.
    public func run() async throws {
        let server = try StatusServer.start(listen: archive.configuration.daemon.listen, routes: routes)
        logger.notice("listening", metadata: ["address": "\(server.boundAddress)", "paths": "/metrics /healthz /status"])
        let scheduler = Scheduler(archive: archive, metrics: metrics, notifier: notifier, logger: logger, clock: clock, environment: environment)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [
                .init(service: EndpointService(server: server), serviceName: "endpoint"),
                .init(service: WatchdogService(notifier: notifier), serviceName: "watchdog"),
                .init(service: scheduler, successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "scheduler"),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        logger.notice("stopped")
    }

    /// The endpoint's answers.
    private var routes: StatusServer.Routes {
        { [archive, metrics] path in
            switch path {
            case "/metrics":
                return .init(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: metrics.text())
            case "/healthz":
                do {
                    _ = try archive.catalog.lastSuccessfulCrawls()
                    return .init(status: 200, body: "ok\n")
                } catch {
                    return .init(status: 503, body: "catalog unavailable: \(error)\n")
                }
            case "/status":
                do {
                    return .init(status: 200, contentType: "application/json", body: try StatusReport.json(archive).serialized() + "\n")
                } catch {
                    return .init(status: 500, contentType: "application/json",
                                 body: JSONValue.object([("error", .string("\(error)"))]).serialized() + "\n")
                }
            default:
                return .init(status: 404, body: "not found; try /metrics, /healthz or /status\n")
            }
        }
    }
}

/// Keeps the endpoint open until shutdown.
private struct EndpointService: Service {
    let server: StatusServer

    func run() async throws {
        try? await gracefulShutdown()
        server.stop()
    }
}

/// Sends WATCHDOG=1 at half of `WatchdogSec` while the daemon runs.
private struct WatchdogService: Service {
    let notifier: SystemdNotifier

    func run() async throws {
        guard let interval = notifier.watchdogInterval else {
            try? await gracefulShutdown()
            return
        }
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                notifier.notify("WATCHDOG=1")
                try await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000))
            }
        }
    }
}

/// The scheduling loop, on a thread of its own (visits block on libgit2 and the disk): at
/// each wake-up it asks ``DaemonPlan`` what is due, lists the hubs whose listing is due,
/// visits the packages that are due, then sleeps on the injected clock until the earliest
/// next listing or next due package, or until stopped.
final class Scheduler: Service, @unchecked Sendable {
    private let archive: Archive
    private let metrics: DaemonMetrics
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let clock: DaemonClock
    private let crawler: Crawler
    private let cancellation = CancellationFlag()
    /// Raised when the loop has returned.
    private let finished = CancellationFlag()
    private let policy: RevisitPolicy
    private let plan: DaemonPlan
    /// Each hub's latest successful listing by this daemon: what its packages are visited from
    /// between listings.
    private var listings: [String: [PackageRef]] = [:]
    /// Hubs this daemon has tried to list.
    private var attempted = Set<String>()
    /// Whether each hub's latest listing attempt succeeded (the last-successful-crawl gauge
    /// moves only then, and only when a visit succeeded).
    private var listingSucceeded: [String: Bool] = [:]

    init(archive: Archive, metrics: DaemonMetrics, notifier: SystemdNotifier, logger: Logger, clock: DaemonClock,
         environment: [String: String]) {
        self.archive = archive
        self.metrics = metrics
        self.notifier = notifier
        self.logger = logger
        self.clock = clock
        crawler = Crawler(archive: archive, logger: logger, clock: { [clock] in clock.now() }, environment: environment)
        policy = RevisitPolicy(archive.configuration.daemon)
        plan = DaemonPlan(archive.configuration.daemon)
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                let thread = Thread { [self] in
                    loop()
                    finished.raise()
                    done.resume()
                }
                thread.name = "sediment-scheduler"
                thread.stackSize = 8 << 20
                thread.start()
            }
        } onGracefulShutdown: { [self] in
            logger.notice("stopping: no new visit starts; visits in progress finish or roll back")
            notifier.notify("STOPPING=1\nSTATUS=stopping: finishing the visits in progress")
            stop()
            // Transfers notice the cancellation while they wait (Sediment's socket stream, the
            // HTTP client's progress callback); should a visit still be busy after
            // stop_timeout, exit anyway. What the visit wrote is rolled back at the next start,
            // exactly as after a kill, and it is redone.
            let timeout = archive.configuration.daemon.stopTimeout
            let logger = self.logger
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [weak self] in
                guard let self, !self.finished.isRaised else { return }
                logger.warning("visits still running \(Int(timeout)) s after the stop (daemon.stop_timeout); exiting, they will be redone")
                self.notifier.notify("STATUS=stopped with visits in progress; they are redone at the next start")
                self.archive.forgetRunningVisitsBeforeExit()
                _exit(0)
            }
        }
    }

    /// Starts no further visit, aborts fetches in progress, and ends ``loop()``.
    func stop() {
        cancellation.raise()
        clock.wake()
    }

    /// What the plan needs to know of each configured hub now.
    private func hubViews() throws -> [DaemonPlan.Hub] {
        let catalog = archive.catalog
        let last = try catalog.lastListings()
        let schedules = try catalog.schedules()
        var views: [DaemonPlan.Hub] = []
        for hub in archive.configuration.hubs {
            let known = try catalog.packages(hubs: [hub.name]).filter { !$0.deleted && !$0.unlisted && $0.repositoryRowID != nil }
            // Between listings, only packages of the daemon's listing are visited (the crawler's own rule).
            var candidates = known
            if let listed = listings[hub.name] {
                let ids = Set(listed.filter { !$0.repository.isEmpty }.map(\.id))
                candidates = known.filter { ids.contains($0.id) }
            }
            // A quarantined package waits for a new listing, whatever its next_visit says.
            let due = candidates.filter { schedules[$0.rowID]?.quarantined != true }
                .map { package in schedules[package.rowID].flatMap { Catalog.date($0.nextVisit) } ?? .distantPast }.min()
            views.append(DaemonPlan.Hub(name: hub.name, lastListing: last[hub.name], hasListing: listings[hub.name] != nil,
                                        attempted: attempted.contains(hub.name), earliestDue: due))
        }
        return views
    }

    /// Runs until ``stop()``.
    func loop() {
        updateParked()
        for (hub, finished) in (try? archive.catalog.lastSuccessfulCrawls()) ?? [:] {
            if let date = Catalog.date(finished) { metrics.crawlFinished(hub: hub, at: date) }
        }
        var lastIdle = ""
        notifier.notify("READY=1\nSTATUS=ready: \(archive.configuration.hubs.count) hub\(archive.configuration.hubs.count == 1 ? "" : "s") scheduled")
        logger.notice("ready", metadata: ["hubs": "\(archive.configuration.hubs.map(\.name).joined(separator: ","))"])
        while !cancellation.isRaised {
            let now = clock.now()
            let decision: (work: [DaemonPlan.Work], wake: Date?)
            do {
                decision = plan.decide(now: now, hubs: try hubViews())
            } catch {
                logger.error("cannot read the schedule from the catalog; trying again in a minute", metadata: ["error": "\(error)"])
                metrics.error(kind: "storage")
                clock.sleep(until: now.addingTimeInterval(60), unless: cancellation)
                continue
            }
            if !decision.work.isEmpty {
                var threw = false
                for work in decision.work where !cancellation.isRaised {
                    switch work {
                    case .list(let hub): threw = !crawl(hub, listing: true) || threw
                    case .visit(let hub): threw = !crawl(hub, listing: false) || threw
                    }
                }
                if threw {
                    // A crawl that failed before it could record anything would be due again at once.
                    clock.sleep(until: now.addingTimeInterval(plan.listingRetry), unless: cancellation)
                }
                lastIdle = ""
                continue
            }
            guard let wake = decision.wake else {
                notifier.status("idle: nothing to schedule")
                clock.sleep(until: .distantFuture, unless: cancellation)
                continue
            }
            let idle = "idle: next work at \(Catalog.timestamp(wake))"
            if idle != lastIdle {
                logger.info("waiting for the next listing or due package", metadata: ["at": "\(Catalog.timestamp(wake))"])
                lastIdle = idle
            }
            notifier.status(idle)
            clock.sleep(until: wake, unless: cancellation)
        }
    }

    /// One crawl of one hub: with a new listing, or of its due packages from the daemon's
    /// latest listing. Returns false when the crawl itself failed (not a listing or a visit).
    @discardableResult
    private func crawl(_ hub: String, listing: Bool) -> Bool {
        metrics.crawlStarted(hub: hub)
        notifier.status(listing ? "crawling \(hub): listing" : "crawling \(hub): due packages")
        logger.info(listing ? "crawl started" : "crawl of due packages started", metadata: ["hub": "\(hub)"])
        if listing { attempted.insert(hub) }
        let progress = CrawlProgress()
        let metrics = self.metrics, notifier = self.notifier
        var selection = Crawler.Selection(hubs: [hub])
        if !listing, let earlier = listings[hub] { selection.earlierListings = [hub: earlier] }
        do {
            let schedule = try PackageSchedule(catalog: archive.catalog, policy: policy, clock: { [clock] in clock.now() }, logger: logger)
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
                listingSucceeded[hub] = report.hubErrors.isEmpty
                if report.hubErrors.isEmpty, let listed = report.listings[hub] { listings[hub] = listed }
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
                if listingSucceeded[hub] == true && report.outcomes.contains(where: { !$0.isFailure }) {
                    metrics.crawlFinished(hub: hub, at: clock.now())
                }
                logger.info("crawl finished", metadata: metadata)
            }
            return true
        } catch {
            metrics.setQueueDepth(0)
            metrics.error(kind: "crawl")
            logger.error("crawl failed", metadata: ["hub": "\(hub)", "error": "\(error)"])
            if listing { listingSucceeded[hub] = false }
            return false
        }
    }

    private func updateParked() {
        if let parked = try? archive.catalog.parkedPackages() { metrics.setParked(parked.count, quarantined: parked.filter(\.quarantined).count) }
    }
}

/// Visits done and planned in the crawl in progress.
private final class CrawlProgress: @unchecked Sendable {
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
