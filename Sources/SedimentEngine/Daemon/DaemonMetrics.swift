import Foundation
import SedimentNetwork
import Prometheus
import SedimentStore

/// The daemon's metrics, served in Prometheus' text format at `/metrics`.
public final class DaemonMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let queueDepth: Gauge
    private let parked: Gauge
    private let quarantined: Gauge
    private let storedBlobs: Counter
    private let storedBytes: Counter
    private let started: Gauge

    public init() {
        queueDepth = registry.makeGauge(descriptor: Self.name("queue", "depth", "Visits planned by the crawl in progress and not yet finished."))
        parked = registry.makeGauge(descriptor: Self.name("parked", "packages", "Packages parked after repeated failures or quarantined."))
        quarantined = registry.makeGauge(descriptor: Self.name("quarantined", "packages",
                                                               "Parked packages quarantined because they crashed the process twice in a row."))
        storedBlobs = registry.makeCounter(descriptor: Self.name("stored_blobs", "total",
                                                                 "Blobs new to the archive, hashed by visits (stored when within blob_max_bytes)."))
        storedBytes = registry.makeCounter(descriptor: Self.name("stored_bytes", "total", "Bytes of the blobs new to the archive."))
        started = registry.makeGauge(descriptor: Self.name("start_timestamp", "seconds", "When this daemon started (Unix time)."))
        started.set(Date().timeIntervalSince1970)
    }

    /// `sediment_<metric>_<unit>`, with its help text.
    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "sediment", metricName: metric, unitName: unit, helpText: help)
    }

    /// Counts one finished visit.
    public func visited(_ outcome: VisitOutcome) {
        let hub = outcome.hub
        registry.makeCounter(descriptor: Self.name("visits", "total", "Visits recorded, by hub and status."),
                             labels: [("hub", hub), ("status", outcome.status.rawValue)]).increment()
        registry.makeCounter(descriptor: Self.name("fetched_bytes", "total", "Bytes received by git fetches."), labels: [("hub", hub)])
            .increment(by: Int64(outcome.bytesReceived))
        registry.makeCounter(descriptor: Self.name("fetched_objects", "total", "Git objects received by fetches."), labels: [("hub", hub)])
            .increment(by: Int64(outcome.objectsReceived))
        storedBlobs.increment(by: Int64(outcome.newBlobs))
        storedBytes.increment(by: outcome.hashedBytes)
        if outcome.lfsStored > 0 || outcome.lfsPending > 0 {
            registry.makeCounter(descriptor: Self.name("lfs_stored_objects", "total", "LFS objects downloaded and stored."), labels: [("hub", hub)])
                .increment(by: Int64(outcome.lfsStored))
            registry.makeCounter(descriptor: Self.name("lfs_stored_bytes", "total", "Bytes of the LFS objects downloaded and stored."), labels: [("hub", hub)])
                .increment(by: outcome.lfsStoredBytes)
        }
        if !outcome.lfsProblems.isEmpty { error(kind: "lfs_object") }
        if outcome.isFailure {
            self.error(kind: outcome.localFailure ? "local_resource" : Self.kind(of: outcome.failureCode ?? .other))
        }
    }

    /// Counts one error of a kind (`hub_listing`, `not_found`, `timeout`, …).
    public func error(kind: String) {
        registry.makeCounter(descriptor: Self.name("errors", "total", "Errors, by kind."), labels: [("kind", kind)]).increment()
    }

    public func crawlFinished(hub: String, at date: Date) {
        registry.makeGauge(descriptor: Self.name("last_successful_crawl_timestamp", "seconds",
                                                "When the hub's last complete crawl finished (Unix time)."), labels: [("hub", hub)]).set(date.timeIntervalSince1970)
    }

    public func crawlStarted(hub: String) {
        registry.makeCounter(descriptor: Self.name("crawls", "total", "Crawls started, by hub."), labels: [("hub", hub)]).increment()
    }

    public func setQueueDepth(_ n: Int) { queueDepth.set(Int64(n)) }
    public func setParked(_ n: Int, quarantined q: Int = 0) {
        parked.set(Int64(n))
        quarantined.set(Int64(q))
    }

    public func text() -> String { registry.emitToString() }

    /// The `kind` label of a failed visit's error, from the failure code its error carried
    /// (a `not-found` visit's error carries ``FailureCode/notFound``).
    static func kind(of code: FailureCode) -> String {
        switch code {
        case .notFound: return "not_found"
        case .unauthorised, .gated: return "auth"
        case .timeout, .stalled: return "timeout"
        case .rateLimited: return "rate_limited"
        case .serverError: return "server_error"
        case .connection, .refused, .protocol: return "network"
        case .localIO: return "storage"
        default: return "other"
        }
    }
}
