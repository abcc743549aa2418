import Foundation

/// How a crawl ended, or that it is still going: the `crawl.state` column.
public enum CrawlState: String, Sendable {
    /// In progress, in the process `crawl.pid`.
    case running
    /// Every planned visit was made (some may have failed: see `crawl.failed`).
    case finished
    /// Stopped before every planned visit was made (Ctrl-C, SIGTERM, a kill); the visits not
    /// made stay due.
    case interrupted
    /// The hub could not be listed (`crawl.error` says why), or the crawl itself failed.
    case failed

    /// The state to show for a crawl row: a `running` crawl whose process is gone was
    /// interrupted (it was killed, or the machine stopped).
    public static func effective(_ stored: String, pid: Int32?) -> CrawlState {
        let state = CrawlState(rawValue: stored) ?? .interrupted
        guard state == .running else { return state }
        guard let pid, isAlive(pid) else { return .interrupted }
        return .running
    }

    /// The state to show for a crawl row of a worker (a catalog several workers share): a
    /// `running` crawl whose worker stopped, or has not been heard of for ``silentWorker``
    /// seconds, was interrupted. Without a worker, as ``effective(_:pid:)``.
    public static func effective(_ stored: String, pid: Int32?, worker: String?, stoppedAt: String?, heartbeatAt: String?,
                                 now: Date = Date()) -> CrawlState {
        guard worker != nil else { return effective(stored, pid: pid) }
        let state = CrawlState(rawValue: stored) ?? .interrupted
        guard state == .running else { return state }
        guard stoppedAt == nil, let beat = heartbeatAt.flatMap(Catalog.date), now.timeIntervalSince(beat) < silentWorker else { return .interrupted }
        return .running
    }

    /// How long a worker may be silent before its running crawls count as interrupted: it
    /// may be on another machine, where its pid means nothing here.
    public static let silentWorker: TimeInterval = 300

    /// Whether process `pid` exists on this machine.
    public static func isAlive(_ pid: Int32) -> Bool {
        if pid == getpid() { return true }
        return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
    }
}

/// The latest listing of a hub, as the daemon schedules the next one.
public struct ListingRecord: Sendable, Equatable {
    /// When the latest crawl that listed the hub (or tried to) started.
    public var startedAt: String
    public var state: CrawlState
    /// Listings that failed in a row, the latest included (0 when the latest succeeded).
    public var failuresInARow: Int

    public init(startedAt: String, state: CrawlState, failuresInARow: Int) {
        self.startedAt = startedAt
        self.state = state
        self.failuresInARow = failuresInARow
    }
}

/// A visit in progress, as `status` lists it.
public struct RunningVisit: Sendable {
    public var package: String
    public var startedAt: String
    public var pid: Int32?
}

/// The package due first, as `status` shows it.
public struct DuePackage: Sendable, Equatable {
    public var package: String
    /// Its next visit; nil when the daemon has never visited it (it is due at once).
    public var nextVisit: String?
}

extension Catalog {
    /// Starts a crawl of `hub` in this process; returns its id. `listing` says whether the
    /// crawl lists the hub (false: it visits due packages from an earlier listing).
    public func beginCrawl(hub: String, at date: Date, listing: Bool = true, worker: String? = nil) throws -> Int64 {
        let time = Self.timestamp(date)
        return try write { db in
            try db.insert(sql: "INSERT INTO crawl(hub, started_at, state, pid, listing, worker_id) VALUES (?, ?, 'running', ?, ?, ?)",
                          arguments: [hub, time, Int64(getpid()), listing, worker])
        }
    }

    /// Ends crawl `id` in `state` with its totals (`error`: why the hub could not be listed).
    public func finishCrawl(_ id: Int64, at date: Date, state: CrawlState = .finished, packages: Int, failed: Int, eventful: Int,
                            error: String? = nil) throws {
        let time = Self.timestamp(date)
        try write { db in
            try db.execute(sql: "UPDATE crawl SET finished_at = ?, state = ?, packages = ?, failed = ?, eventful = ?, error = ? WHERE id = ?",
                           arguments: [time, state.rawValue, packages, failed, eventful, error, id])
        }
    }

    /// Marks the crawls still `running` as `interrupted` and forgets their visits in progress;
    /// with `countingCrashes` (the process that left them crashed), counts each of those
    /// packages one crash first (``recordCrashes(_:at:)``). Called by the process that has
    /// just taken the archive's lock: no other process can be crawling, so they were left by
    /// one that was killed or crashed. Returns the packages counted.
    ///
    /// With several workers, `scope` names the workers known to be gone: only their crawls
    /// and visits (and those of no worker) are closed, and only `scope.crashed` (gone workers
    /// of this process's storage folder, whose crash this process saw) count crashes.
    @discardableResult
    public func closeAbandonedCrawls(countingCrashes: Bool = false, at date: Date = Date(),
                                     scope: (gone: Set<String>, crashed: Set<String>)? = nil) throws -> [CrashedVisit] {
        let time = Self.timestamp(date)
        return try write { db in
            guard let scope else {
                try db.execute(sql: "UPDATE crawl SET state = 'interrupted' WHERE state = 'running'")
                let crashed = countingCrashes ? try recordCrashes(db, at: time) : []
                try db.execute(sql: "DELETE FROM visit_running")
                return crashed
            }
            func among(_ ids: Set<String>) -> (sql: String, arguments: [SQLValue]) {
                ids.isEmpty ? ("worker_id IS NULL", []) : ("(worker_id IS NULL OR worker_id IN (\(ids.map { _ in "?" }.joined(separator: ", "))))",
                                                            ids.sorted().map { .text($0) })
            }
            let gone = among(scope.gone)
            try db.execute(sql: "UPDATE crawl SET state = 'interrupted' WHERE state = 'running' AND \(gone.sql)",
                           arguments: SQLArguments(values: gone.arguments))
            let crashed = countingCrashes && !scope.crashed.isEmpty
                ? try recordCrashes(db, at: time, workers: scope.crashed) : []
            try db.execute(sql: "DELETE FROM visit_running WHERE \(gone.sql)", arguments: SQLArguments(values: gone.arguments))
            return crashed
        }
    }

    /// Notes that a visit of package `rowID` started, until ``visitEnded(package:)``: for
    /// `status`, and so that the next process to open the archive knows which packages were
    /// in flight if this one crashes. `listing` is what the hub listed for it.
    public func visitStarted(package rowID: Int64, crawl: Int64?, at date: Date, listing: String? = nil, worker: String? = nil) throws {
        let time = Self.timestamp(date)
        try write { db in
            try db.execute(sql: """
                INSERT INTO visit_running(package_id, crawl_id, started_at, listing, worker_id) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(package_id) DO UPDATE SET crawl_id = excluded.crawl_id, started_at = excluded.started_at,
                    listing = excluded.listing, worker_id = excluded.worker_id
                """,
                           arguments: [rowID, crawl, time, listing, worker])
        }
    }

    public func visitEnded(package rowID: Int64) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM visit_running WHERE package_id = ?", arguments: [rowID])
        }
    }

    /// The visits in progress in live processes, oldest first.
    public func runningVisits() throws -> [RunningVisit] {
        try read { db in
            try db.rows(sql: """
                SELECT p.hub || ':' || p.package_id AS name, r.started_at, c.state, c.pid, c.worker_id, w.stopped_at, w.heartbeat_at
                FROM visit_running r JOIN package p ON p.id = r.package_id LEFT JOIN crawl c ON c.id = r.crawl_id
                LEFT JOIN worker w ON w.id = c.worker_id
                ORDER BY r.started_at, name
                """).compactMap { row in
                let pid = (row["pid"] as Int64?).map { Int32($0) }
                guard CrawlState.effective(row["state"] ?? "interrupted", pid: pid, worker: row["worker_id"], stoppedAt: row["stopped_at"],
                                           heartbeatAt: row["heartbeat_at"]) == .running else { return nil }
                return RunningVisit(package: row["name"], startedAt: row["started_at"], pid: pid)
            }
        }
    }

    /// Each hub's latest listing (not counting crawls that only visited due packages).
    public func lastListings() throws -> [String: ListingRecord] {
        try read { db in
            var result: [String: ListingRecord] = [:]
            let rows = try db.rows(sql: """
                SELECT c.hub, c.started_at, c.state, c.pid, c.worker_id, w.stopped_at, w.heartbeat_at,
                    (SELECT COUNT(*) FROM crawl f WHERE f.hub = c.hub AND f.listing = 1 AND f.state = 'failed'
                        AND f.id > COALESCE((SELECT MAX(id) FROM crawl s WHERE s.hub = c.hub AND s.listing = 1 AND s.state != 'failed'), 0)) AS failures
                FROM crawl c LEFT JOIN worker w ON w.id = c.worker_id
                WHERE c.id = (SELECT MAX(id) FROM crawl m WHERE m.hub = c.hub AND m.listing = 1)
                """)
            for row in rows {
                let state = CrawlState.effective(row["state"], pid: (row["pid"] as Int64?).map { Int32($0) }, worker: row["worker_id"],
                                                 stoppedAt: row["stopped_at"], heartbeatAt: row["heartbeat_at"])
                result[row["hub"]] = ListingRecord(startedAt: row["started_at"], state: state, failuresInARow: row["failures"])
            }
            return result
        }
    }

    /// For each hub, the earliest next visit of its packages the daemon can visit between
    /// listings (listed, with a repository); `""` when one was never visited by the daemon.
    public func earliestDue() throws -> [String: String] {
        try read { db in
            var result: [String: String] = [:]
            for row in try db.rows(sql: """
                SELECT p.hub, MIN(COALESCE(s.next_visit, '')) AS due
                FROM package p LEFT JOIN package_schedule s ON s.package_id = p.id
                WHERE p.deleted = 0 AND p.unlisted = 0 AND p.repository_id IS NOT NULL
                    AND (s.parked_at IS NULL OR s.parked_reason IS DISTINCT FROM '\(ScheduleRecord.crashReason)')
                GROUP BY p.hub
                """) {
                result[row["hub"]] = row["due"]
            }
            return result
        }
    }

    /// The listed package due first (one never visited by the daemon before any other).
    public func nextDuePackage() throws -> DuePackage? {
        try read { db in
            try db.row(sql: """
                SELECT p.hub || ':' || p.package_id AS name, s.next_visit
                FROM package p LEFT JOIN package_schedule s ON s.package_id = p.id
                WHERE p.deleted = 0 AND p.unlisted = 0 AND p.repository_id IS NOT NULL
                    AND (s.parked_at IS NULL OR s.parked_reason IS DISTINCT FROM '\(ScheduleRecord.crashReason)')
                ORDER BY COALESCE(s.next_visit, ''), name LIMIT 1
                """).map { DuePackage(package: $0["name"], nextVisit: $0["next_visit"]) }
        }
    }
}
