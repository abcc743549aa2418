import Foundation

/// A process writing to the catalog, as `status` lists it.
public struct WorkerRecord: Sendable, Equatable {
    /// `host:pid:random`, unique across restarts.
    public var id: String
    public var host: String
    public var pid: Int32
    /// The worker's storage folder (its mirrors), on its host.
    public var storage: String
    public var startedAt: Date
    public var heartbeatAt: Date
    /// When it stopped on purpose; nil while it runs (or since it was killed).
    public var stoppedAt: Date?
    /// The resources it holds leases on, by name.
    public var leases: [String] = []

    public init(id: String, host: String, pid: Int32, storage: String, startedAt: Date, heartbeatAt: Date, stoppedAt: Date? = nil) {
        self.id = id
        self.host = host
        self.pid = pid
        self.storage = storage
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.stoppedAt = stoppedAt
    }
}

/// Who holds a lease another worker asked for.
public struct LeaseHolder: Sendable, Equatable {
    public var worker: String
    public var host: String
    public var pid: Int32
    public var expiresAt: Date
    public var heartbeatAt: Date
}

/// Workers and their leases: a lease is a resource (a name) held by one worker until it
/// expires; the worker renews it with its heartbeat, and a worker that dies loses it at expiry.
public protocol WorkerCatalog: Sendable {
    func registerWorker(_ worker: WorkerRecord) throws
    func claim(_ resource: String, worker: String, at now: Date, until expiry: Date, replacing dead: String?) throws -> LeaseHolder?
    func leaseHolder(_ resource: String, at now: Date) throws -> LeaseHolder?
    @discardableResult func heartbeat(worker: String, at now: Date, renewingUntil expiry: Date) throws -> Set<String>
    func release(_ resource: String, worker: String) throws
    func stopWorker(_ worker: String, at now: Date) throws
    func workers() throws -> [WorkerRecord]
}

extension Catalog: WorkerCatalog {
    /// Records (or refreshes) a worker.
    public func registerWorker(_ worker: WorkerRecord) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO worker (id, host, pid, storage, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, stopped_at = NULL
                """, arguments: [worker.id, worker.host, worker.pid, worker.storage, Self.timestamp(worker.startedAt),
                                 Self.timestamp(worker.heartbeatAt)])
        }
    }

    /// Takes `resource` for `worker` until `expiry`, or renews it when the worker holds it
    /// already: nil when the worker holds it now, else who does. A lease past its expiry is
    /// anyone's; so is one held by `dead` (a worker known to have died: the caller checked).
    /// Atomic on both databases: of two workers claiming at once, one gets it.
    public func claim(_ resource: String, worker: String, at now: Date, until expiry: Date, replacing dead: String? = nil) throws -> LeaseHolder? {
        try write { db in
            let taken = try db.value(String.self, sql: """
                INSERT INTO lease (resource, worker_id, acquired_at, expires_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(resource) DO UPDATE SET worker_id = excluded.worker_id, acquired_at = excluded.acquired_at,
                    expires_at = excluded.expires_at
                WHERE lease.expires_at < ? OR lease.worker_id = excluded.worker_id OR lease.worker_id = ?
                RETURNING worker_id
                """, arguments: [resource, worker, Self.timestamp(now), Self.timestamp(expiry), Self.timestamp(now), dead ?? ""])
            if taken == worker { return nil }
            guard let row = try db.row(sql: """
                SELECT l.worker_id, l.expires_at, w.host, w.pid, w.heartbeat_at FROM lease l JOIN worker w ON w.id = l.worker_id
                WHERE l.resource = ?
                """, arguments: [resource]) else {
                throw SQLDatabaseError(message: "lease \(resource): neither taken nor held")
            }
            return LeaseHolder(worker: row["worker_id"], host: row["host"], pid: Int32(truncatingIfNeeded: row["pid"] as Int64),
                               expiresAt: Self.date(row["expires_at"]) ?? .distantPast, heartbeatAt: Self.date(row["heartbeat_at"]) ?? .distantPast)
        }
    }

    /// Who holds `resource` at `now` (a lease not past its expiry); nil when no one does.
    public func leaseHolder(_ resource: String, at now: Date) throws -> LeaseHolder? {
        try read { db in
            try db.row(sql: """
                SELECT l.worker_id, l.expires_at, w.host, w.pid, w.heartbeat_at FROM lease l JOIN worker w ON w.id = l.worker_id
                WHERE l.resource = ? AND l.expires_at >= ?
                """, arguments: [resource, Self.timestamp(now)]).map { row in
                LeaseHolder(worker: row["worker_id"], host: row["host"], pid: Int32(truncatingIfNeeded: row["pid"] as Int64),
                            expiresAt: Self.date(row["expires_at"]) ?? .distantPast, heartbeatAt: Self.date(row["heartbeat_at"]) ?? .distantPast)
            }
        }
    }

    /// The worker is alive: its heartbeat moves, and every lease it still holds now runs until
    /// `expiry`; returns those leases (one it lost to another worker after it expired is not
    /// among them).
    @discardableResult
    public func heartbeat(worker: String, at now: Date, renewingUntil expiry: Date) throws -> Set<String> {
        try write { db in
            try db.execute(sql: "UPDATE worker SET heartbeat_at = ? WHERE id = ?", arguments: [Self.timestamp(now), worker])
            try db.execute(sql: "UPDATE lease SET expires_at = ? WHERE worker_id = ?", arguments: [Self.timestamp(expiry), worker])
            return Set(try db.values(String.self, sql: "SELECT resource FROM lease WHERE worker_id = ?", arguments: [worker]))
        }
    }

    /// Gives `resource` up (when `worker` holds it).
    public func release(_ resource: String, worker: String) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM lease WHERE resource = ? AND worker_id = ?", arguments: [resource, worker])
        }
    }

    /// The worker stops on purpose: its leases are given up at once.
    public func stopWorker(_ worker: String, at now: Date) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM lease WHERE worker_id = ?", arguments: [worker])
            try db.execute(sql: "UPDATE worker SET stopped_at = ? WHERE id = ?", arguments: [Self.timestamp(now), worker])
        }
    }

    /// Every worker that wrote to the catalog, the latest heartbeat first, with its leases.
    public func workers() throws -> [WorkerRecord] {
        try read { db in
            var leases: [String: [String]] = [:]
            for row in try db.rows(sql: "SELECT resource, worker_id FROM lease ORDER BY resource") {
                leases[row["worker_id"], default: []].append(row["resource"])
            }
            return try db.rows(sql: "SELECT * FROM worker ORDER BY heartbeat_at DESC, id").map { row in
                var worker = WorkerRecord(id: row["id"], host: row["host"], pid: Int32(truncatingIfNeeded: row["pid"] as Int64),
                                          storage: row["storage"], startedAt: Self.date(row["started_at"]) ?? .distantPast,
                                          heartbeatAt: Self.date(row["heartbeat_at"]) ?? .distantPast,
                                          stoppedAt: (row["stopped_at"] as String?).flatMap(Self.date))
                worker.leases = leases[worker.id] ?? []
                return worker
            }
        }
    }
}
