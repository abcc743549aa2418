import Foundation

/// A package's row as the store's records keep it: named by its hub and id (never by the
/// catalog's row ids), with everything `packages` shows and the schedule does not.
public struct PackageState: Codable, Equatable, Sendable {
    public var hub: String
    public var hubKind: String
    public var id: String
    /// The repository URL (redacted) and its mirror folder under `mirrors/`.
    public var repository: String?
    public var mirrorPath: String?
    public var subpath: String
    /// The package's scope in its catalog form (``PackageScope/serialized``).
    public var scope: String?
    public var firstSeen: String
    public var lastSeen: String
    public var deleted: Bool
    public var unlisted: Bool
    public var gated: Bool
    public var reportedHead: String?
}

/// A crawl as the store's records name it: its hub and the instant it began.
public struct CrawlKey: Codable, Hashable, Sendable {
    public var hub: String
    public var startedAt: String
    /// Whether the crawl listed its hub (false: it visited due packages of an earlier listing).
    public var listing: Bool

    public init(hub: String, startedAt: String, listing: Bool) {
        self.hub = hub
        self.startedAt = startedAt
        self.listing = listing
    }
}

/// How a crawl ended, as a crawl record keeps it.
public struct CrawlEnd: Codable, Equatable, Sendable {
    public var finishedAt: String
    public var state: String
    public var packages: Int
    public var failed: Int
    public var eventful: Int
    public var error: String?

    public init(finishedAt: String, state: String, packages: Int, failed: Int, eventful: Int, error: String?) {
        self.finishedAt = finishedAt
        self.state = state
        self.packages = packages
        self.failed = failed
        self.eventful = eventful
        self.error = error
    }
}

extension Catalog {
    private static let stateSelect = """
        SELECT p.hub, h.kind, p.package_id, r.url, r.mirror_path, p.subpath, p.scope, p.first_seen, p.last_seen,
               p.deleted, p.unlisted, p.gated, p.reported_head
        FROM package p JOIN hub h ON h.name = p.hub LEFT JOIN repository r ON r.id = p.repository_id
        """

    private static func state(_ row: SQLRow) -> PackageState {
        PackageState(hub: row[0], hubKind: row[1], id: row[2], repository: row[3], mirrorPath: row[4], subpath: row[5], scope: row[6],
                     firstSeen: row[7], lastSeen: row[8], deleted: row[9], unlisted: row[10], gated: row[11], reportedHead: row[12])
    }

    /// The state of package `rowID`, as a record keeps it.
    public func packageState(_ rowID: Int64) throws -> PackageState? {
        try read { db in try db.row(sql: Self.stateSelect + " WHERE p.id = ?", arguments: [rowID]).map(Self.state) }
    }

    /// The states of `hub`'s packages whose ids are in `ids`, by id.
    public func packageStates(hub: String, ids: Set<String>) throws -> [PackageState] {
        try read { db in
            try db.rows(sql: Self.stateSelect + " WHERE p.hub = ? ORDER BY p.package_id", arguments: [hub])
                .map(Self.state).filter { ids.contains($0.id) }
        }
    }

    /// Crawl `id` as records name it.
    public func crawlKey(_ id: Int64) throws -> CrawlKey? {
        try read { db in
            try db.row(sql: "SELECT hub, started_at, listing FROM crawl WHERE id = ?", arguments: [id])
                .map { CrawlKey(hub: $0[0], startedAt: $0[1], listing: $0[2]) }
        }
    }

    /// The problems crawl `id` recorded, in order.
    public func crawlProblems(_ id: Int64) throws -> [(item: String, problem: String)] {
        try read { db in
            try db.rows(sql: "SELECT item, problem FROM crawl_problem WHERE crawl_id = ? ORDER BY seq", arguments: [id])
                .map { (item: $0[0], problem: $0[1]) }
        }
    }

    // MARK: Restoring from records (`sediment rebuild`)

    /// Makes the package row (and its hub and repository rows) exactly `state`; returns the row.
    public func restore(_ state: PackageState) throws -> PackageRecord {
        try write { db in
            try db.execute(sql: "INSERT INTO hub(name, kind) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET kind = excluded.kind",
                           arguments: [state.hub, state.hubKind])
            var repository: Int64?
            if let url = state.repository, let mirror = state.mirrorPath {
                try db.execute(sql: "INSERT INTO repository(url, mirror_path) VALUES (?, ?) ON CONFLICT(url) DO UPDATE SET mirror_path = excluded.mirror_path",
                               arguments: [url, mirror])
                repository = try db.value(Int64.self, sql: "SELECT id FROM repository WHERE url = ?", arguments: [url])
            }
            try db.execute(sql: """
                INSERT INTO package(hub, package_id, repository_id, subpath, scope, first_seen, last_seen, deleted, unlisted, gated, reported_head)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(hub, package_id) DO UPDATE SET
                    repository_id = excluded.repository_id, subpath = excluded.subpath, scope = excluded.scope,
                    first_seen = excluded.first_seen, last_seen = excluded.last_seen, deleted = excluded.deleted,
                    unlisted = excluded.unlisted, gated = excluded.gated, reported_head = excluded.reported_head
                """, arguments: [state.hub, state.id, repository, state.subpath, state.scope, state.firstSeen, state.lastSeen,
                                 state.deleted, state.unlisted, state.gated, state.reportedHead])
            let row = try db.row(sql: Self.packageSelect + " WHERE p.hub = ? AND p.package_id = ?", arguments: [state.hub, state.id])!
            return Self.package(row)
        }
    }

    /// The crawl row `key` names, created (running) when absent; returns its id.
    public func restoreCrawl(_ key: CrawlKey, hubKind: String?) throws -> Int64 {
        try write { db in
            if let id = try db.value(Int64.self, sql: "SELECT id FROM crawl WHERE hub = ? AND started_at = ? ORDER BY id LIMIT 1",
                                           arguments: [key.hub, key.startedAt]) {
                return id
            }
            if let hubKind {
                try db.execute(sql: "INSERT INTO hub(name, kind) VALUES (?, ?) ON CONFLICT(name) DO NOTHING", arguments: [key.hub, hubKind])
            }
            return try db.insert(sql: "INSERT INTO crawl(hub, started_at, state, listing) VALUES (?, ?, 'running', ?)",
                                 arguments: [key.hub, key.startedAt, key.listing])
        }
    }

    /// Ends the restored crawl `id` as its record says.
    public func restoreCrawlEnd(_ id: Int64, _ end: CrawlEnd) throws {
        try write { db in
            try db.execute(sql: "UPDATE crawl SET finished_at = ?, state = ?, packages = ?, failed = ?, eventful = ?, error = ? WHERE id = ?",
                           arguments: [end.finishedAt, end.state, end.packages, end.failed, end.eventful, end.error, id])
        }
    }

    /// Records the LFS objects the blob store holds with the size a pointer of a known blob
    /// gives (`holds`), as stored at `date`; returns how many.
    @discardableResult
    public func restoreLFSObjects(at date: Date, holds: (ContentID, Int64) -> Bool) throws -> Int {
        let pointers = try read { db in
            try db.rows(sql: "SELECT DISTINCT lfs_oid, lfs_size FROM blob WHERE lfs_oid IS NOT NULL AND lfs_size IS NOT NULL ORDER BY lfs_oid")
                .compactMap { row in ContentID(hex: row[0]).map { (oid: $0, size: row[1] as Int64) } }
        }
        let held = pointers.filter { holds($0.oid, $0.size) }
        try recordLFSStored(held, at: date)
        return held.count
    }
}
