import Foundation
import SedimentStore
import Synchronization

/// This process as a worker of a shared (PostgreSQL) catalog, registered with a heartbeat.
/// On SQLite the storage folder's lock does this, and no session is made.
///
/// With a local store a worker is the catalog's only writer: it holds the writer lease while
/// it runs. With a shared store (a bucket) several workers run at once (a *fleet*): each holds
/// leases on what it works on (a hub's listing, a repository's visit, a slot on a host) while
/// it works on it.
///
/// Leases run ``ttl`` seconds and are renewed every ``renewal`` seconds by a thread of the
/// session's own: a worker that stops on purpose gives them up at once; one that was killed
/// loses them at expiry, or at once to a worker of the same host that sees its process is gone
/// (a restarted service). A worker that finds a lease it holds gone stops at once.
final class WorkerSession: Sendable {
    /// The lease a worker holds while it writes to the catalog alone.
    static let writerLease = "catalog-writer"
    /// How long a lease runs after its last renewal, and how often it is renewed
    /// (`SEDIMENT_WORKER_TTL` sets the first, and a quarter of it the second, for tests).
    static let ttl: TimeInterval = ProcessInfo.processInfo.environment["SEDIMENT_WORKER_TTL"].flatMap(TimeInterval.init).map { max($0, 2) } ?? 60
    static var renewal: TimeInterval { ttl / 4 }

    let id: String
    let host: String
    let storage: String
    let catalog: Catalog
    /// Whether other workers write to the catalog beside this one (a shared store).
    let fleet: Bool
    /// The leases this worker holds, as it took them (the heartbeat checks they still are).
    private let held: Mutex<Set<String>>
    /// The resources a thread of this worker holds or is claiming.
    private let reserved = Mutex<Set<String>>([])
    /// Signalled when the session ends: the heartbeat thread stops.
    private let ended: DispatchSemaphore

    private init(id: String, host: String, storage: String, catalog: Catalog, fleet: Bool, held: Set<String>, ended: DispatchSemaphore) {
        self.id = id
        self.host = host
        self.storage = storage
        self.catalog = catalog
        self.fleet = fleet
        self.held = Mutex(held)
        self.ended = ended
    }

    /// Registers this process. Alone (`fleet` false) it takes the writer lease, and fails
    /// naming the worker that holds it; in a fleet it fails only while a lone writer runs.
    static func start(catalog: Catalog, location: CatalogLocation, storage: String, fleet: Bool = false, now: Date = Date()) throws -> WorkerSession {
        let host = ProcessInfo.processInfo.hostName
        let pid = getpid()
        let id = "\(host):\(pid):\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        try catalog.registerWorker(WorkerRecord(id: id, host: host, pid: pid, storage: storage, startedAt: now, heartbeatAt: now))
        var holder: LeaseHolder?
        if fleet {
            // Only checked: no lone writer runs now. Fleet workers hold no writer lease.
            holder = try catalog.leaseHolder(writerLease, at: now)
        } else {
            holder = try catalog.claim(writerLease, worker: id, at: now, until: now.addingTimeInterval(ttl))
        }
        if let other = holder, other.host == host, !CrawlState.isAlive(other.pid) {
            // A worker of this host whose process is gone (killed, or the service restarted).
            holder = fleet ? nil : try catalog.claim(writerLease, worker: id, at: now, until: now.addingTimeInterval(ttl), replacing: other.worker)
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
        let session = WorkerSession(id: id, host: host, storage: storage, catalog: catalog, fleet: fleet,
                                    held: fleet ? [] : [writerLease], ended: ended)
        // A thread of its own: the heartbeat must go on while every pool thread is busy. It
        // holds the session weakly: the session ends when the archive lets it go.
        Thread.detachNewThread { [weak session] in
            var renewed = now
            while ended.wait(timeout: .now() + renewal) == .timedOut {
                guard let session else { return }
                let beat = Date()
                do {
                    let before = session.held.withLock { $0 }
                    let leases = try catalog.heartbeat(worker: id, at: beat, renewingUntil: beat.addingTimeInterval(ttl))
                    // Taken before the beat and not given up since, yet not held: lost.
                    let lostLeases = before.intersection(session.held.withLock { $0 }).subtracting(leases)
                    if !lostLeases.isEmpty {
                        lost(lostLeases.sorted().joined(separator: ", "), "another worker holds it now")
                    }
                    renewed = beat
                } catch {
                    // The lease may expire, and another worker take it, once a renewal is due
                    // that cannot be made: stop before.
                    if beat.timeIntervalSince(renewed) + renewal >= ttl {
                        lost(session.fleet ? "its leases" : writerLease,
                             "no heartbeat reached the catalog for \(Int(beat.timeIntervalSince(renewed))) s: \(error)")
                    }
                }
            }
        }
        return session
    }

    /// Takes `resource` for this worker: true when it holds it now, false when a live worker
    /// does. A lease of a gone process of this host is taken over at once.
    /// One thread of this worker at a time holds a resource: another thread's claim of it
    /// fails as another worker's would.
    func claim(_ resource: String, now: Date = Date()) throws -> Bool {
        guard reserved.withLock({ $0.insert(resource).inserted }) else { return false }
        do {
            var holder = try catalog.claim(resource, worker: id, at: now, until: now.addingTimeInterval(Self.ttl))
            if let other = holder, other.host == host, other.worker != id, !CrawlState.isAlive(other.pid) {
                holder = try catalog.claim(resource, worker: id, at: now, until: now.addingTimeInterval(Self.ttl), replacing: other.worker)
            }
            guard holder == nil else {
                _ = reserved.withLock { $0.remove(resource) }
                return false
            }
        } catch {
            _ = reserved.withLock { $0.remove(resource) }
            throw error
        }
        held.withLock { _ = $0.insert(resource) }
        return true
    }

    /// Takes `resource`, waiting while another worker holds it; false when `cancelled` first.
    func claimWaiting(_ resource: String, poll: TimeInterval = 0.25, cancelled: () -> Bool) throws -> Bool {
        while !cancelled() {
            if try claim(resource) { return true }
            Thread.sleep(forTimeInterval: poll)
        }
        return false
    }

    /// Gives `resource` up (first forgotten, so the heartbeat never counts it lost).
    func release(_ resource: String) {
        held.withLock { _ = $0.remove(resource) }
        try? catalog.release(resource, worker: id)
        _ = reserved.withLock { $0.remove(resource) }
    }

    /// The workers that are gone (stopped, silent for two lease times, or a process of this
    /// host that no longer exists), and of those the ones that used this storage folder.
    func goneWorkers(now: Date = Date()) throws -> (gone: Set<String>, crashed: Set<String>) {
        var gone: Set<String> = [], crashed: Set<String> = []
        for worker in try catalog.workers() where worker.id != id {
            let silent = now.timeIntervalSince(worker.heartbeatAt) > 2 * Self.ttl
            let exited = worker.host == host && !CrawlState.isAlive(worker.pid)
            guard worker.stoppedAt != nil || silent || exited else { continue }
            gone.insert(worker.id)
            if worker.host == host && worker.storage == storage { crashed.insert(worker.id) }
        }
        return (gone, crashed)
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

    /// This worker no longer holds a lease, or may lose it any moment: it stops at once (what
    /// it was writing is rolled back, and redone by whoever takes the lease), so that two
    /// workers never work on one thing. Exit status 75 (EX_TEMPFAIL): systemd restarts the
    /// service, which then starts again like any other worker.
    private static func lost(_ lease: String, _ reason: String) -> Never {
        FileHandle.standardError.write(Data("sediment: lost the lease on \(lease) (\(reason)); stopping at once so that two workers never work on one thing\n".utf8))
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
