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
public final class Daemon: Sendable {
    public let archive: Archive
    public let metrics = DaemonMetrics()
    public let notifier: SystemdNotifier
    private let logger: Logger
    private let clock: any DaemonClock
    private let options: DaemonOptions
    private let environment: [String: String]

    /// `options` default to those of the archive's configuration.
    public init(archive: Archive, options: DaemonOptions? = nil, logger: Logger,
                environment: [String: String] = ProcessInfo.processInfo.environment, clock: any DaemonClock = WallClock()) {
        self.archive = archive
        self.options = options ?? DaemonOptions(archive.configuration)
        self.logger = logger
        self.environment = environment
        self.clock = clock
        notifier = SystemdNotifier(environment: environment)
    }

    /// Runs until SIGTERM or SIGINT, then returns once in-flight visits finished or were
    /// rolled back, or once `daemon.stop_timeout` has passed since the signal (the visits still
    /// busy are then left behind, and redone at the next start). Throws when the endpoint
    /// cannot listen.
    public func run() async throws {
        let server = try await StatusServer.start(listen: options.daemon.listen, routes: routes)
        logger.notice("listening", metadata: ["address": "\(server.boundAddress)", "paths": "/metrics /healthz /status"])
        let scheduler = Scheduler(archive: archive, options: options, metrics: metrics, notifier: notifier, logger: logger, clock: clock, environment: environment)
        var configuration = ServiceGroupConfiguration(
            services: [
                .init(service: EndpointService(server: server), serviceName: "endpoint"),
                .init(service: WatchdogService(notifier: notifier), serviceName: "watchdog"),
                .init(service: scheduler, successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "scheduler"),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // The hard stop: past stop_timeout the group cancels its services, and the scheduler
        // stops waiting for visits that are still busy.
        configuration.maximumGracefulShutdownDuration = .seconds(options.daemon.stopTimeout)
        try await ServiceGroup(configuration: configuration).run()
        logger.notice("stopped")
    }

    /// The endpoint's answers.
    private var routes: StatusServer.Routes {
        { [archive, metrics, queryOptions = options.query] path in
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
                    return .init(status: 200, contentType: "application/json", body: try StatusReport.json(archive, options: queryOptions).serialized() + "\n")
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
        await server.stop()
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
