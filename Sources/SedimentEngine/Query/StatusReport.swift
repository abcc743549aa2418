import Foundation
import SedimentStore

/// The archive at a glance as JSON: what `sediment status --json` prints and the daemon's
/// `/status` serves.
public enum StatusReport {
    public static func json(_ archive: Archive, options: QueryOptions) throws -> JSONValue {
        let s = try archive.catalog.status()
        let parked = try archive.catalog.parkedPackages()
        let schedule = try Schedule(archive, daemon: options.daemon)
        return .object([
            ("storage", .string(options.storagePath)),
            ("hubs", .array(s.hubs.map { hub in
                .object([("name", .string(hub.name)), ("kind", .string(hub.kind)), ("packages", .int(Int64(hub.packages))),
                         ("deleted", .int(Int64(hub.deleted))), ("unlisted", .int(Int64(hub.unlisted))),
                         ("last_crawl_started", .optional(hub.lastCrawlStarted)),
                         ("last_crawl_finished", .optional(hub.lastCrawlFinished)), ("last_crawl_state", .optional(hub.lastCrawlState?.rawValue)),
                         ("last_crawl_pid", hub.lastCrawlPID.map { .int(Int64($0)) } ?? .null),
                         ("last_crawl_packages", .int(Int64(hub.lastCrawlPackages))),
                         ("last_crawl_failed", .int(Int64(hub.lastCrawlFailed))), ("last_crawl_error", .optional(hub.lastCrawlError)),
                         ("last_crawl_skipped", .array(hub.lastCrawlSkipped.map { .string($0) })),
                         ("next_listing", .optional(schedule.nextListing[hub.name].map(Catalog.timestamp)))])
            })),
            ("next_due", schedule.nextDue.map { due in
                .object([("package", .string(due.package)), ("next_visit", .optional(due.nextVisit))])
            } ?? .null),
            ("visits_in_progress", .array(schedule.running.map { visit in
                .object([("package", .string(visit.package)), ("started_at", .string(visit.startedAt)),
                         ("pid", visit.pid.map { .int(Int64($0)) } ?? .null)])
            })),
            ("workers", .array(try archive.catalog.workers().map { worker in
                .object([("id", .string(worker.id)), ("host", .string(worker.host)), ("pid", .int(Int64(worker.pid))),
                         ("storage", .string(worker.storage)), ("state", .string(workerState(worker))),
                         ("started_at", .string(Catalog.timestamp(worker.startedAt))),
                         ("heartbeat_at", .string(Catalog.timestamp(worker.heartbeatAt))),
                         ("stopped_at", .optional(worker.stoppedAt.map(Catalog.timestamp))),
                         ("leases", .array(worker.leases.map { .string($0) }))])
            })),
            ("failing", .array(s.failing.map { f in
                .object([("package", .string(f.package)), ("since", .string(f.since)), ("consecutive_failures", .int(Int64(f.consecutive))),
                         ("error", .string(f.error))])
            })),
            ("parked", .array(parked.map { p in
                .object([("package", .string(p.package)), ("parked_at", .string(p.parkedAt)),
                         ("consecutive_failures", .int(Int64(p.consecutiveFailures))),
                         // A quarantined package has no next visit: it waits for `unpark` or a new version.
                         ("next_visit", p.quarantined ? .null : .string(p.nextVisit)),
                         ("reason", .string(p.reason ?? "failed \(p.consecutiveFailures) visit\(p.consecutiveFailures == 1 ? "" : "s") in a row")),
                         ("quarantined", .bool(p.quarantined)), ("crashes", .int(Int64(p.crashes))),
                         ("error", .optional(p.error))])
            })),
            ("repositories", .int(Int64(s.repositories))), ("commits", .int(Int64(s.commits))), ("snapshots", .int(Int64(s.snapshots))),
            ("manifests", .int(Int64(s.manifests))), ("blobs", .int(Int64(s.blobs))), ("stored_blobs", .int(Int64(s.storedBlobs))),
            ("stored_bytes", .int(s.storedBytes)), ("packs", .int(Int64(s.packs))), ("pack_bytes", .int(s.packBytes)),
            ("packed_blobs", .int(Int64(s.packedBlobs))), ("lfs_pointers", .int(Int64(s.lfsPointers))),
            ("lfs_objects_stored", .int(Int64(s.lfsObjectsStored))), ("lfs_bytes_stored", .int(s.lfsBytesStored)),
            ("lfs_objects_pending", .int(Int64(s.lfsObjectsPending))), ("lfs_bytes_pending", .int(s.lfsBytesPending)),
            ("lost_refs", .int(Int64(s.lostRefs))),
        ])
    }
}

extension StatusReport {
    /// A worker of a shared catalog: `running` while its heartbeat is recent, `stopped` when
    /// it stopped on purpose, `lost` when its heartbeat ended without a stop (killed, or cut
    /// off from the database): its leases are anyone's once they expire.
    public static func workerState(_ worker: WorkerRecord, now: Date = Date()) -> String {
        if worker.stoppedAt != nil { return "stopped" }
        // A worker of this host is known dead when its process is gone.
        if worker.host == ProcessInfo.processInfo.hostName && !CrawlState.isAlive(worker.pid) { return "lost" }
        return now.timeIntervalSince(worker.heartbeatAt) <= WorkerSession.ttl ? "running" : "lost"
    }

    /// The daemon's schedule as the catalog records it: when each hub is listed next (absent:
    /// at once), the package due first, and the visits in progress.
    public struct Schedule {
        public var nextListing: [String: Date] = [:]
        public var nextDue: DuePackage?
        public var running: [RunningVisit]

        /// `daemon`: the `[daemon]` settings that say when a hub is listed next.
        public init(_ archive: Archive, daemon: Configuration.Daemon) throws {
            let plan = DaemonPlan(daemon)
            for (hub, last) in try archive.catalog.lastListings() {
                nextListing[hub] = plan.nextListing(after: last)
            }
            nextDue = try archive.catalog.nextDuePackage()
            running = try archive.catalog.runningVisits()
        }
    }
}
