import Foundation

/// When the daemon visits a package next, and why: its row in `package_schedule`.
public struct ScheduleRecord: Sendable, Equatable {
    public var packageRowID: Int64
    /// The first instant the package is due again.
    public var nextVisit: Date
    /// The current revisit interval in seconds: shorter after eventful visits, longer after quiet ones.
    public var revisitSeconds: Double
    /// Failed visits since the last successful one.
    public var consecutiveFailures: Int
    /// When the package was parked after too many failures, or quarantined after crashes;
    /// nil while it is not parked.
    public var parkedAt: Date?
    /// Why it is parked when that is not its failed visits: ``ScheduleRecord/crashReason``
    /// for a quarantined package.
    public var parkedReason: String?
    /// Crashes of the process (a fatal signal, not a kill) during which a visit of the package
    /// was in progress, since its last completed visit.
    public var crashes: Int
    /// What the hub listed for the package at its last visit (its reported head, or its
    /// repository): a different listing makes the package due at once, parked or not.
    public var listing: String?
    public var lastVisit: Date?
    public var lastStatus: String?

    public init(packageRowID: Int64, nextVisit: Date, revisitSeconds: Double, consecutiveFailures: Int = 0,
                parkedAt: Date? = nil, listing: String? = nil, lastVisit: Date? = nil, lastStatus: String? = nil,
                parkedReason: String? = nil, crashes: Int = 0) {
        self.packageRowID = packageRowID
        self.nextVisit = nextVisit
        self.revisitSeconds = revisitSeconds
        self.consecutiveFailures = consecutiveFailures
        self.parkedAt = parkedAt
        self.parkedReason = parkedReason
        self.crashes = crashes
        self.listing = listing
        self.lastVisit = lastVisit
        self.lastStatus = lastStatus
    }

    public var parked: Bool { parkedAt != nil }

    /// The reason of a package quarantined because the process crashed twice in a
    /// row while visiting it.
    public static let crashReason = "crashed the process"

    /// Parked because it crashed the process: visited again only after `sediment unpark`
    /// or when its hub lists a new version.
    public var quarantined: Bool { parkedAt != nil && parkedReason == Self.crashReason }
}

/// A parked package, as `status` lists it.
public struct ParkedPackage: Sendable {
    public var package: String
    public var parkedAt: String
    public var consecutiveFailures: Int
    public var nextVisit: String
    public var error: String?
    /// Why it is parked when that is not its failed visits ("crashed the process").
    public var reason: String?
    /// Crashes of the process during a visit of it, in a row.
    public var crashes: Int

    public var quarantined: Bool { reason == ScheduleRecord.crashReason }
}

extension Catalog {
    /// The schedule rows of the given packages (all packages when `packages` is nil).
    public func schedules(packages: [Int64]? = nil) throws -> [Int64: ScheduleRecord] {
        try read { db in
            var sql = """
                SELECT package_id, next_visit, revisit_seconds, consecutive_failures, parked_at, listing, last_visit, last_status,
                    parked_reason, crashes
                FROM package_schedule
                """
            var arguments: SQLArguments = []
            if let packages {
                if packages.isEmpty { return [:] }
                sql += " WHERE package_id IN (\(packages.map { _ in "?" }.joined(separator: ",")))"
                arguments = SQLArguments(packages)
            }
            var result: [Int64: ScheduleRecord] = [:]
            for row in try db.rows(sql: sql, arguments: arguments) {
                let record = ScheduleRecord(packageRowID: row["package_id"], nextVisit: Catalog.date(row["next_visit"]) ?? .distantPast,
                                            revisitSeconds: row["revisit_seconds"], consecutiveFailures: row["consecutive_failures"],
                                            parkedAt: (row["parked_at"] as String?).flatMap(Catalog.date),
                                            listing: row["listing"], lastVisit: (row["last_visit"] as String?).flatMap(Catalog.date),
                                            lastStatus: row["last_status"],
                                            parkedReason: row["parked_reason"], crashes: row["crashes"])
                result[record.packageRowID] = record
            }
            return result
        }
    }

    /// Writes (inserts or replaces) one package's schedule.
    public func saveSchedule(_ record: ScheduleRecord) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO package_schedule (package_id, next_visit, revisit_seconds, consecutive_failures, parked_at, listing, last_visit, last_status,
                    parked_reason, crashes)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(package_id) DO UPDATE SET next_visit = excluded.next_visit, revisit_seconds = excluded.revisit_seconds,
                    consecutive_failures = excluded.consecutive_failures, parked_at = excluded.parked_at,
                    listing = excluded.listing, last_visit = excluded.last_visit, last_status = excluded.last_status,
                    parked_reason = excluded.parked_reason, crashes = excluded.crashes
                """, arguments: [record.packageRowID, Catalog.timestamp(record.nextVisit), record.revisitSeconds, record.consecutiveFailures,
                                 record.parkedAt.map(Catalog.timestamp), record.listing, record.lastVisit.map(Catalog.timestamp), record.lastStatus, record.parkedReason, record.crashes])
        }
    }

    /// The parked packages, by name.
    public func parkedPackages() throws -> [ParkedPackage] {
        try read { db in
            try db.rows(sql: """
                SELECT p.hub || ':' || p.package_id AS name, s.parked_at, s.consecutive_failures, s.next_visit, s.parked_reason, s.crashes,
                    (SELECT error FROM visit v WHERE v.package_id = p.id ORDER BY v.id DESC LIMIT 1) AS error
                FROM package_schedule s JOIN package p ON p.id = s.package_id
                WHERE s.parked_at IS NOT NULL ORDER BY name
                """).map {
                ParkedPackage(package: $0["name"], parkedAt: $0["parked_at"], consecutiveFailures: $0["consecutive_failures"],
                              nextVisit: $0["next_visit"], error: $0["error"], reason: $0["parked_reason"], crashes: $0["crashes"])
            }
        }
    }

    /// When each hub's latest successful crawl finished: one that ended `finished` (so its
    /// listing succeeded) and in which at least one visit succeeded.
    public func lastSuccessfulCrawls() throws -> [String: String] {
        try read { db in
            var result: [String: String] = [:]
            for row in try db.rows(sql: """
                SELECT hub, MAX(finished_at) AS at FROM crawl
                WHERE state = 'finished' AND error IS NULL AND packages > failed GROUP BY hub
                """) {
                result[row["hub"]] = row["at"]
            }
            return result
        }
    }
}
