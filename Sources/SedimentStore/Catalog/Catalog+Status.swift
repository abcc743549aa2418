import Foundation

/// The archive at a glance, as `sediment status` shows it.
public struct ArchiveStatus: Sendable {
    public struct Hub: Sendable {
        public var name: String
        public var kind: String
        public var packages: Int
        public var deleted: Int
        /// Packages the hub no longer lists (their archive stays; they are not visited).
        public var unlisted: Int
        public var lastCrawlStarted: String?
        public var lastCrawlFinished: String?
        /// How the last crawl ended, or `running` (a crawl whose process is gone shows as interrupted).
        public var lastCrawlState: CrawlState?
        /// The process running the last crawl, while it runs.
        public var lastCrawlPID: Int32?
        public var lastCrawlPackages: Int
        public var lastCrawlFailed: Int
        /// Why the last crawl could not list the hub, when it could not.
        public var lastCrawlError: String?
        /// The entries the hub listed that the last crawl skipped, with the reason ("item: why").
        public var lastCrawlSkipped: [String] = []
    }
    public struct Failing: Sendable {
        public var package: String
        public var since: String
        public var error: String
        public var consecutive: Int
    }
    public var hubs: [Hub]
    public var failing: [Failing]
    public var repositories: Int
    public var commits: Int
    public var snapshots: Int
    public var manifests: Int
    public var blobs: Int
    public var storedBlobs: Int
    public var storedBytes: Int64
    public var lfsPointers: Int
    /// LFS objects in the blob store (`lfs = "fetch"`), and their bytes.
    public var lfsObjectsStored: Int
    public var lfsBytesStored: Int64
    /// LFS objects some package wants and the store lacks, and their bytes.
    public var lfsObjectsPending: Int
    public var lfsBytesPending: Int64
    public var lostRefs: Int
    /// Packs of the blob store, their bytes on disk, and the blobs they hold (from the index).
    public var packs: Int = 0
    public var packBytes: Int64 = 0
    public var packedBlobs: Int = 0
}

extension Catalog {
    /// Summarises the catalog.
    public func status() throws -> ArchiveStatus {
        try read { db in
            var hubs = try db.rows(sql: """
                SELECT h.name, h.kind,
                    (SELECT COUNT(*) FROM package p WHERE p.hub = h.name) AS packages,
                    (SELECT COUNT(*) FROM package p WHERE p.hub = h.name AND p.deleted = 1) AS deleted,
                    (SELECT COUNT(*) FROM package p WHERE p.hub = h.name AND p.unlisted = 1 AND p.deleted = 0) AS unlisted,
                    c.started_at, c.finished_at, COALESCE(c.packages, 0) AS cp, COALESCE(c.failed, 0) AS cf, c.error, c.state, c.pid,
                    c.worker_id, w.stopped_at, w.heartbeat_at
                FROM hub h LEFT JOIN crawl c ON c.id = (SELECT MAX(id) FROM crawl WHERE hub = h.name)
                LEFT JOIN worker w ON w.id = c.worker_id
                ORDER BY h.name
                """).map { row -> ArchiveStatus.Hub in
                let pid = (row["pid"] as Int64?).map { Int32($0) }
                let state = (row["state"] as String?).map {
                    CrawlState.effective($0, pid: pid, worker: row["worker_id"], stoppedAt: row["stopped_at"], heartbeatAt: row["heartbeat_at"])
                }
                return ArchiveStatus.Hub(name: row["name"], kind: row["kind"], packages: row["packages"], deleted: row["deleted"],
                                         unlisted: row["unlisted"], lastCrawlStarted: row["started_at"], lastCrawlFinished: row["finished_at"],
                                         lastCrawlState: state, lastCrawlPID: state == .running ? pid : nil,
                                         lastCrawlPackages: row["cp"], lastCrawlFailed: row["cf"], lastCrawlError: row["error"])
            }
            for index in hubs.indices {
                hubs[index].lastCrawlSkipped = try db.values(String.self, sql: """
                    SELECT item || ': ' || problem FROM crawl_problem
                    WHERE crawl_id = (SELECT MAX(id) FROM crawl WHERE hub = ?) ORDER BY seq
                    """, arguments: [hubs[index].name])
            }
            // A package is failing when its latest visit failed; count the failures since its last success.
            let failing = try db.rows(sql: """
                SELECT p.hub || ':' || p.package_id AS name, v.error,
                    (SELECT MIN(started_at) FROM visit f WHERE f.package_id = p.id AND f.status IN ('failed', 'not-found')
                        AND f.id > COALESCE((SELECT MAX(id) FROM visit s WHERE s.package_id = p.id AND s.status NOT IN ('failed', 'not-found')), 0)) AS since,
                    (SELECT COUNT(*) FROM visit f WHERE f.package_id = p.id AND f.status IN ('failed', 'not-found')
                        AND f.id > COALESCE((SELECT MAX(id) FROM visit s WHERE s.package_id = p.id AND s.status NOT IN ('failed', 'not-found')), 0)) AS n
                FROM package p JOIN visit v ON v.id = (SELECT MAX(id) FROM visit WHERE package_id = p.id)
                WHERE v.status IN ('failed', 'not-found') AND p.deleted = 0 AND p.unlisted = 0 ORDER BY name
                """).map { ArchiveStatus.Failing(package: $0["name"], since: $0["since"], error: $0["error"] ?? "", consecutive: $0["n"]) }
            func count(_ sql: String) throws -> Int { try db.value(Int.self, sql: sql) ?? 0 }
            return ArchiveStatus(
                hubs: hubs, failing: failing,
                repositories: try count("SELECT COUNT(*) FROM repository"),
                commits: try count("SELECT COUNT(*) FROM git_commit"),
                snapshots: try count("SELECT COUNT(*) FROM snapshot"),
                manifests: try count("SELECT COUNT(DISTINCT id) FROM manifest"),
                blobs: try count("SELECT COUNT(*) FROM blob"),
                storedBlobs: try count("SELECT COUNT(DISTINCT sha256) FROM blob WHERE stored = 1"),
                storedBytes: try db.value(Int64.self, sql: "SELECT COALESCE(SUM(size), 0) FROM (SELECT sha256, MAX(size) AS size FROM blob WHERE stored = 1 GROUP BY sha256) AS sized") ?? 0,
                lfsPointers: try count("SELECT COUNT(*) FROM blob WHERE lfs_oid IS NOT NULL"),
                lfsObjectsStored: try count("SELECT COUNT(*) FROM lfs_object"),
                lfsBytesStored: try db.value(Int64.self, sql: "SELECT COALESCE(SUM(size), 0) FROM lfs_object") ?? 0,
                lfsObjectsPending: try count("SELECT COUNT(DISTINCT oid) FROM lfs_pending"),
                lfsBytesPending: try db.value(Int64.self, sql: "SELECT COALESCE(SUM(size), 0) FROM (SELECT oid, MAX(size) AS size FROM lfs_pending GROUP BY oid) AS pending") ?? 0,
                lostRefs: try count("SELECT COUNT(*) FROM lost_ref"),
                packs: try count("SELECT COUNT(*) FROM pack"),
                packBytes: try db.value(Int64.self, sql: "SELECT COALESCE(SUM(bytes), 0) FROM pack") ?? 0,
                packedBlobs: try count("SELECT COUNT(*) FROM pack_blob"))
        }
    }
}
