import Foundation
import Logging
import SedimentGit
import SedimentStore
import ServiceLifecycle

/// `sediment daemon`: crawls each hub every `daemon.interval`, visiting within a crawl only
/// the packages the adaptive schedule finds due; serves `/metrics`, `/healthz` and
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
    private let clock: @Sendable () -> Date
    private let environment: [String: String]

    public init(archive: Archive, logger: Logger, environment: [String: String] = ProcessInfo.processInfo.environment,
                clock: @escaping @Sendable () -> Date = { Date() }) {
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

/// The crawl loop, on a thread of its own (visits block on libgit2 and the disk).
final class Scheduler: Service, @unchecked Sendable {
    private let archive: Archive
    private let metrics: DaemonMetrics
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let clock: @Sendable () -> Date
    private let crawler: Crawler
    private let cancellation = CancellationFlag()
    /// Raised when the crawl loop has returned.
    private let finished = CancellationFlag()
    private let wake = NSCondition()
    private let policy: RevisitPolicy

    init(archive: Archive, metrics: DaemonMetrics, notifier: SystemdNotifier, logger: Logger, clock: @escaping @Sendable () -> Date,
         environment: [String: String]) {
        self.archive = archive
        self.metrics = metrics
        self.notifier = notifier
        self.logger = logger
        self.clock = clock
        crawler = Crawler(archive: archive, logger: logger, clock: clock, environment: environment)
        policy = RevisitPolicy(archive.configuration.daemon)
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
            cancellation.raise()
            wake.lock()
            wake.broadcast()
            wake.unlock()
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
                _exit(0)
            }
        }
    }

    /// When each hub is crawled next: an unfinished last crawl (the daemon was stopped or
    /// killed in it) is resumed at once; otherwise ``nextCrawl(after:listed:)`` the last one.
    private func nextCrawls() -> [String: Date] {
        var result: [String: Date] = [:]
        for hub in archive.configuration.hubs {
            if let last = try? archive.catalog.lastCrawl(hub: hub.name), last.finishedAt != nil, let started = Catalog.date(last.startedAt) {
                result[hub.name] = nextCrawl(after: started, listed: last.listed)
            } else {
                result[hub.name] = .distantPast
            }
        }
        return result
    }

    /// `interval` after a crawl started, or `min_revisit` after it when it could not list the hub.
    private func nextCrawl(after started: Date, listed: Bool) -> Date {
        let daemon = archive.configuration.daemon
        return started.addingTimeInterval(listed ? daemon.interval : min(daemon.interval, daemon.minRevisit))
    }

    private func loop() {
        var next = nextCrawls()
        updateParked()
        for (hub, finished) in (try? archive.catalog.lastSuccessfulCrawls()) ?? [:] {
            if let date = Catalog.date(finished) { metrics.crawlFinished(hub: hub, at: date) }
        }
        var lastIdle = ""
        notifier.notify("READY=1\nSTATUS=ready: \(archive.configuration.hubs.count) hub\(archive.configuration.hubs.count == 1 ? "" : "s") scheduled")
        logger.notice("ready", metadata: ["hubs": "\(archive.configuration.hubs.map(\.name).joined(separator: ","))"])
        while !cancellation.isRaised {
            let now = clock()
            if let (hub, _) = next.filter({ $0.value <= now }).min(by: { $0.value < $1.value }) {
                let started = clock()
                next[hub] = nextCrawl(after: started, listed: crawl(hub))
                continue
            }
            guard let (hub, when) = next.min(by: { $0.value < $1.value }) else {
                notifier.status("idle: no hub configured")
                waitUntil(.distantFuture)
                continue
            }
            let idle = "idle: next crawl \(hub) at \(Catalog.timestamp(when))"
            if idle != lastIdle {
                logger.info("waiting for the next crawl", metadata: ["hub": "\(hub)", "at": "\(Catalog.timestamp(when))"])
                lastIdle = idle
            }
            notifier.status(idle)
            waitUntil(when)
        }
    }

    private func waitUntil(_ date: Date) {
        wake.lock()
        if !cancellation.isRaised { _ = wake.wait(until: date) }
        wake.unlock()
    }

    /// One crawl of one hub; returns whether the hub could be listed.
    private func crawl(_ hub: String) -> Bool {
        metrics.crawlStarted(hub: hub)
        notifier.status("crawling \(hub): listing")
        logger.info("crawl started", metadata: ["hub": "\(hub)"])
        let progress = CrawlProgress()
        let metrics = self.metrics, notifier = self.notifier
        do {
            let schedule = try PackageSchedule(catalog: archive.catalog, policy: policy, clock: clock, logger: logger)
            let report = try crawler.crawl(.init(hubs: [hub]), schedule: schedule, cancellation: cancellation) { event in
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
            let (done, total) = progress.value
            let failed = report.outcomes.filter(\.isFailure).count
            let eventful = report.outcomes.filter(\.eventful).count
            let metadata: Logger.Metadata = ["hub": "\(hub)", "visited": "\(done)", "planned": "\(total)", "failed": "\(failed)",
                                             "eventful": "\(eventful)", "not_due": "\(report.notDue)"]
            if report.interrupted {
                logger.notice("crawl interrupted; it resumes at the next start", metadata: metadata)
            } else if !report.hubErrors.isEmpty {
                logger.error("crawl could not list the hub", metadata: metadata.merging(["error": "\(report.hubErrors.joined(separator: "; "))"]) { a, _ in a })
                return false
            } else {
                metrics.crawlFinished(hub: hub, at: clock())
                logger.info("crawl finished", metadata: metadata)
            }
            return true
        } catch {
            metrics.setQueueDepth(0)
            metrics.error(kind: "crawl")
            logger.error("crawl failed", metadata: ["hub": "\(hub)", "error": "\(error)"])
            return false
        }
    }

    private func updateParked() {
        if let parked = try? archive.catalog.parkedPackages() { metrics.setParked(parked.count) }
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
