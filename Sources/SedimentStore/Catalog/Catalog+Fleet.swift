import Foundation

/// What several workers of one catalog share beyond leases: the latest listing of each hub
/// (so that one worker lists it and the others visit from it), and when a package was last
/// visited by any of them (so that a visit another worker made meanwhile is not made again).
public protocol FleetCatalog: Sendable {
    func storeListing(hub: String, at date: Date, worker: String, refs: [(package: Int64, ref: String)]) throws
    func hubListedAt(_ hub: String) throws -> Date?
    func listedRefs(hub: String) throws -> [String]
    func lastVisitFinished(package rowID: Int64) throws -> Date?
    func archivedRefs(repository rowID: Int64) throws -> (url: String, refs: [String: String])?
    func pauseHost(_ host: String, until date: Date) throws
    func hostPausedUntil(_ host: String) throws -> Date?
}

extension Catalog: FleetCatalog {
    /// Stores what worker `worker` listed of `hub` at `date`: one JSON document per listed
    /// package (its URL without credentials), replacing the hub's previous listing.
    public func storeListing(hub: String, at date: Date, worker: String, refs: [(package: Int64, ref: String)]) throws {
        let time = Self.timestamp(date)
        try write { db in
            try db.execute(sql: "DELETE FROM listed_ref WHERE hub = ?", arguments: [hub])
            try db.insertRows(into: "listed_ref", columns: ["package_id", "hub", "listed_at", "ref"],
                              refs.map { [.integer($0.package), .text(hub), .text(time), .text($0.ref)] })
            try db.execute(sql: """
                INSERT INTO hub_listing (hub, listed_at, worker_id) VALUES (?, ?, ?)
                ON CONFLICT(hub) DO UPDATE SET listed_at = excluded.listed_at, worker_id = excluded.worker_id
                """, arguments: [hub, time, worker])
        }
    }

    /// When a worker last stored a listing of `hub`; nil when none did.
    public func hubListedAt(_ hub: String) throws -> Date? {
        try read { db in
            try db.value(String.self, sql: "SELECT listed_at FROM hub_listing WHERE hub = ?", arguments: [hub]).flatMap(Self.date)
        }
    }

    /// The stored listing of `hub`: its packages' JSON documents, by package id.
    public func listedRefs(hub: String) throws -> [String] {
        try read { db in
            try db.values(String.self, sql: """
                SELECT r.ref FROM listed_ref r JOIN package p ON p.id = r.package_id WHERE r.hub = ? ORDER BY p.package_id
                """, arguments: [hub])
        }
    }

    /// When the latest recorded visit of package `rowID` ended; nil when it was never visited.
    public func lastVisitFinished(package rowID: Int64) throws -> Date? {
        try read { db in
            try db.value(String.self, sql: "SELECT finished_at FROM visit WHERE package_id = ? ORDER BY id DESC LIMIT 1",
                         arguments: [rowID]).flatMap(Self.date)
        }
    }

    /// What a mirror of repository `rowID` must hold: its URL (without credentials) and every
    /// ref the catalog relies on (the archived tips, and lost refs under the names they are
    /// kept as); nil when the repository is unknown.
    public func archivedRefs(repository rowID: Int64) throws -> (url: String, refs: [String: String])? {
        try read { db in
            guard let url = try db.value(String.self, sql: "SELECT url FROM repository WHERE id = ?", arguments: [rowID]) else { return nil }
            var refs: [String: String] = [:]
            for row in try db.rows(sql: "SELECT name, target FROM ref_tip WHERE repository_id = ?", arguments: [rowID]) {
                refs[row["name"]] = row["target"]
            }
            for row in try db.rows(sql: "SELECT archived_as, target FROM lost_ref WHERE repository_id = ?", arguments: [rowID]) {
                refs[row["archived_as"]] = row["target"]
            }
            return (url, refs)
        }
    }

    /// No worker asks `host` before `date` (a later pause already recorded stands).
    public func pauseHost(_ host: String, until date: Date) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO host_pause (host, until) VALUES (?, ?)
                ON CONFLICT(host) DO UPDATE SET until = \(db.dialect.greatest("host_pause.until", "excluded.until"))
                """, arguments: [host, Self.timestamp(date)])
        }
    }

    /// Until when `host` is paused for every worker; nil when it never was.
    public func hostPausedUntil(_ host: String) throws -> Date? {
        try read { db in
            try db.value(String.self, sql: "SELECT until FROM host_pause WHERE host = ?", arguments: [host]).flatMap(Self.date)
        }
    }
}
