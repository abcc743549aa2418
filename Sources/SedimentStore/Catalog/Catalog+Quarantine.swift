import Foundation

/// A package whose visit was in progress when a process crashed, as the next
/// process to open the archive found it.
public struct CrashedVisit: Sendable, Equatable {
    public var package: String
    /// Crashes in a row during a visit of it, this one included.
    public var crashes: Int
    /// Whether this crash quarantined it (``Catalog/crashesToQuarantine`` in a row).
    public var quarantined: Bool
}

/// What ``Catalog/unpark(package:at:)`` undid.
public struct UnparkedPackage: Sendable, Equatable {
    public var package: String
    /// It was parked (after failures, or quarantined).
    public var wasParked: Bool
    /// It was quarantined because it crashed the process.
    public var wasQuarantined: Bool
}

extension Catalog {
    /// Crashes in a row, each with a visit of the package in progress, that quarantine
    /// the package. One is not enough: every visit in progress at a crash is suspected, and
    /// only the one that crashes again when visited alone is the cause.
    public static let crashesToQuarantine = 2

    /// Counts one crash for every package with a visit in progress (`visit_running`), and
    /// quarantines those that reach ``crashesToQuarantine``: parked with the reason
    /// "crashed the process", keeping the listing they crashed with so that a new version
    /// wakes them. A package never scheduled gets a schedule row, due at once.
    func recordCrashes(_ db: any SQLConnection, at time: String, workers: Set<String>? = nil) throws -> [CrashedVisit] {
        let only = workers.map { ids in " WHERE r.worker_id IN (\(ids.map { _ in "?" }.joined(separator: ", ")))" } ?? ""
        let rows = try db.rows(sql: """
            SELECT r.package_id, r.listing, p.hub || ':' || p.package_id AS name,
                s.package_id IS NOT NULL AS scheduled, COALESCE(s.crashes, 0) AS crashes
            FROM visit_running r JOIN package p ON p.id = r.package_id
            LEFT JOIN package_schedule s ON s.package_id = r.package_id\(only)
            ORDER BY name
            """, arguments: SQLArguments(values: (workers ?? []).sorted().map { .text($0) }))
        var result: [CrashedVisit] = []
        for row in rows {
            let rowID: Int64 = row["package_id"]
            let listing: String? = row["listing"]
            let crashes = (row["crashes"] as Int) + 1
            let quarantine = crashes >= Self.crashesToQuarantine
            if row["scheduled"] as Bool {
                try db.execute(sql: """
                    UPDATE package_schedule SET crashes = ?, next_visit = \(db.dialect.least("next_visit", "?")),
                        parked_at = CASE WHEN ? = 1 THEN COALESCE(parked_at, ?) ELSE parked_at END,
                        parked_reason = CASE WHEN ? = 1 THEN ? ELSE parked_reason END,
                        listing = CASE WHEN ? = 1 THEN COALESCE(?, listing) ELSE listing END
                    WHERE package_id = ?
                    """, arguments: [crashes, time, quarantine, time, quarantine, ScheduleRecord.crashReason, quarantine, listing, rowID])
            } else {
                // revisit_seconds 0: no interval yet (the policy starts from its initial one).
                try db.execute(sql: """
                    INSERT INTO package_schedule (package_id, next_visit, revisit_seconds, crashes, parked_at, parked_reason, listing)
                    VALUES (?, ?, 0, ?, ?, ?, ?)
                    """, arguments: [rowID, time, crashes, quarantine ? time : nil, quarantine ? ScheduleRecord.crashReason : nil,
                                     quarantine ? listing : nil])
            }
            result.append(CrashedVisit(package: row["name"], crashes: crashes, quarantined: quarantine))
        }
        return result
    }

    /// Forgets the visits in progress of this process without counting them as crashes:
    /// called when it exits on purpose with visits still busy (after `stop_timeout`).
    /// On a catalog several workers share, `worker` names this process's rows.
    public func forgetRunningVisits(worker: String? = nil) throws {
        try write { db in
            if let worker {
                try db.execute(sql: "DELETE FROM visit_running WHERE worker_id = ?", arguments: [worker])
                return
            }
            try db.execute(sql: """
                DELETE FROM visit_running WHERE crawl_id IS NULL OR crawl_id IN (SELECT id FROM crawl WHERE pid = ?)
                """, arguments: [Int64(getpid())])
        }
    }

    /// The packages in flight during the last crash and not visited to the end since
    /// (crashes > 0, not quarantined): a crawl visits them one at a time, alone, first.
    public func crashSuspects() throws -> Set<Int64> {
        try read { db in
            Set(try db.values(Int64.self, sql: """
                SELECT package_id FROM package_schedule
                WHERE crashes > 0 AND (parked_at IS NULL OR parked_reason IS DISTINCT FROM ?)
                """, arguments: [ScheduleRecord.crashReason]))
        }
    }

    /// The quarantined packages, each with the listing it crashed with (nil: unknown).
    public func quarantinedPackages() throws -> [Int64: String?] {
        try read { db in
            var result: [Int64: String?] = [:]
            for row in try db.rows(sql: """
                SELECT package_id, listing FROM package_schedule WHERE parked_at IS NOT NULL AND parked_reason = ?
                """, arguments: [ScheduleRecord.crashReason]) {
                result[row["package_id"]] = .some(row["listing"])
            }
            return result
        }
    }

    /// A visit of package `rowID` came to its end without the process crashing: it is no
    /// longer suspected, and no longer quarantined.
    public func visitCompleted(package rowID: Int64) throws {
        try write { db in
            try db.execute(sql: """
                UPDATE package_schedule SET crashes = 0,
                    parked_at = CASE WHEN parked_reason = ? THEN NULL ELSE parked_at END,
                    parked_reason = CASE WHEN parked_reason = ? THEN NULL ELSE parked_reason END
                WHERE package_id = ? AND (crashes > 0 OR parked_reason = ?)
                """, arguments: [ScheduleRecord.crashReason, ScheduleRecord.crashReason, rowID, ScheduleRecord.crashReason])
        }
    }

    /// Puts a parked or quarantined package back in the schedule: not parked, no failure or
    /// crash counted, due at `time`. Returns what it was; nil when it has no schedule row.
    public func unpark(package rowID: Int64, at date: Date) throws -> UnparkedPackage? {
        let time = Self.timestamp(date)
        return try write { db in
            guard let row = try db.row(sql: """
                SELECT p.hub || ':' || p.package_id AS name, s.parked_at, s.parked_reason
                FROM package_schedule s JOIN package p ON p.id = s.package_id WHERE s.package_id = ?
                """, arguments: [rowID]) else { return nil }
            let parkedAt: String? = row["parked_at"]
            let reason: String? = row["parked_reason"]
            try db.execute(sql: """
                UPDATE package_schedule SET parked_at = NULL, parked_reason = NULL, crashes = 0, consecutive_failures = 0,
                    next_visit = \(db.dialect.least("next_visit", "?"))
                WHERE package_id = ?
                """, arguments: [time, rowID])
            return UnparkedPackage(package: row["name"], wasParked: parkedAt != nil,
                                   wasQuarantined: parkedAt != nil && reason == ScheduleRecord.crashReason)
        }
    }
}
