import Foundation
import SedimentStore
import Synchronization

/// This process as a worker of a shared (PostgreSQL) catalog: registered with a heartbeat,
/// and holding the catalog's writer lease while it writes. On SQLite the storage folder's
/// lock does this, and no session is made.
///
/// The lease runs ``ttl`` seconds and is renewed every ``renewal`` seconds: a worker that
/// stops on purpose gives it up at once; one that was killed loses it at expiry, or at once
/// to a worker of the same host that sees its process is gone (a restarted service).
final class WorkerSession: Sendable {
    /// The lease a worker holds while it writes to the catalog.
    static let writerLease = "catalog-writer"
    /// How long a lease runs after its last renewal, and how often it is renewed
    /// (`SEDIMENT_WORKER_TTL` sets the first, and a quarter of it the second, for tests).
    static let ttl: TimeInterval = ProcessInfo.processInfo.environment["SEDIMENT_WORKER_TTL"].flatMap(TimeInterval.init).map { max($0, 2) } ?? 60
    static var renewal: TimeInterval { ttl / 4 }

    let id: String
    let catalog: Catalog
    /// Signalled when the session ends: the heartbeat thread stops.
    private let ended: DispatchSemaphore

    private init(id: String, catalog: Catalog, ended: DispatchSemaphore) {
        self.id = id
        self.catalog = catalog
        self.ended = ended
    }

    /// Registers this process and takes the writer lease; fails naming the worker that
    /// holds it.
    static func start(catalog: Catalog, location: CatalogLocation, storage: String, now: Date = Date()) throws -> WorkerSession {
        let host = ProcessInfo.processInfo.hostName
        let pid = getpid()
        let id = "\(host):\(pid):\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        try catalog.registerWorker(WorkerRecord(id: id, host: host, pid: pid, storage: storage, startedAt: now, heartbeatAt: now))
        var holder = try catalog.claim(writerLease, worker: id, at: now, until: now.addingTimeInterval(ttl))
        if let other = holder, other.host == host, !CrawlState.isAlive(other.pid) {
            // A worker of this host whose process is gone (killed, or the service restarted).
            holder = try catalog.claim(writerLease, worker: id, at: now, until: now.addingTimeInterval(ttl), replacing: other.worker)
        }
        if let other = holder {
            try? catalog.stopWorker(id, at: now)
            let ago = Int(max(0, now.timeIntervalSince(other.heartbeatAt)))
            throw ArchiveError.locked(path: location.description,
                                      holder: "worker \(other.host) pid \(other.pid), heartbeat \(ago) s ago, lease until \(Catalog.timestamp(other.expiresAt))")
        }
        Self.exitHook
        live.withLock { $0[id] = catalog }
        let ended = DispatchSemaphore(value: 0)
        // A thread of its own: the heartbeat must go on while every pool thread is busy.
        Thread.detachNewThread {
            var renewed = now
            while ended.wait(timeout: .now() + renewal) == .timedOut {
                let beat = Date()
                do {
                    let held = try catalog.heartbeat(worker: id, at: beat, renewingUntil: beat.addingTimeInterval(ttl))
                    guard held.contains(writerLease) else {
                        lost("another worker holds it now")
                    }
                    renewed = beat
                } catch {
                    // The lease may expire, and another worker take it, once a renewal is due
                    // that cannot be made: stop before.
                    if beat.timeIntervalSince(renewed) + renewal >= ttl {
                        lost("no heartbeat reached the catalog for \(Int(beat.timeIntervalSince(renewed))) s: \(error)")
                    }
                }
            }
        }
        return WorkerSession(id: id, catalog: catalog, ended: ended)
    }

    deinit {
        ended.signal()
        // Forgotten only once recorded: should the process exit meanwhile (this may run on
        // another thread than the one that exits), the exit records it.
        Self.stop(id, catalog)
        _ = Self.live.withLock { $0.removeValue(forKey: id) }
    }

    /// The sessions of this process not ended yet: a command that exits (`exit`, not a
    /// signal) ends them, so their leases are given up at once rather than at expiry.
    private static let live = Mutex<[String: Catalog]>([:])
    private static let exitHook: Void = {
        atexit {
            let sessions = WorkerSession.live.withLock { $0 }
            for (id, catalog) in sessions { WorkerSession.stop(id, catalog) }
        }
    }()

    /// This worker no longer holds the writer lease, or may lose it any moment: it stops at
    /// once (what it was writing is rolled back, and redone by whoever writes next), so that
    /// two workers never write to one catalog. Exit status 75 (EX_TEMPFAIL): systemd
    /// restarts the service, which then waits for the lease like any other worker.
    private static func lost(_ reason: String) -> Never {
        FileHandle.standardError.write(Data("sediment: lost the catalog's writer lease (\(reason)); stopping at once so that two workers never write to one catalog\n".utf8))
        _exit(75)
    }

    /// Ends worker `id` in the catalog (its leases given up); says so when it cannot.
    private static func stop(_ id: String, _ catalog: Catalog) {
        do {
            try catalog.stopWorker(id, at: Date())
        } catch {
            FileHandle.standardError.write(Data("sediment: could not record this worker's stop in the catalog (\(error)); its leases end at their expiry\n".utf8))
        }
    }
}
