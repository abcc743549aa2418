import Foundation

/// An LFS object a package wants and the archive does not hold yet (`lfs_pending`).
public struct LFSPendingRecord: Sendable, Equatable {
    public var oid: ContentID
    public var size: Int64
    /// The first path (in the package's manifests) that points at the object.
    public var path: String
    public var attempts: Int
    /// Why the last attempt failed; nil before the first attempt.
    public var reason: String?

    public init(oid: ContentID, size: Int64, path: String, attempts: Int = 0, reason: String? = nil) {
        self.oid = oid
        self.size = size
        self.path = path
        self.attempts = attempts
        self.reason = reason
    }
}

extension Catalog {
    /// Queues the objects `package` wants, except those already stored with the size the
    /// pointer gives (each once per package). An object stored with another size does not
    /// satisfy the pointer: the pointer is queued, and the fetcher says why it cannot be had.
    public func enqueueLFS(package: Int64, objects: [LFSPendingRecord], at date: Date) throws {
        let time = Self.timestamp(date)
        guard !objects.isEmpty else { return }
        try write { db in
            let statement = db.statement(sql: """
                INSERT INTO lfs_pending(package_id, oid, size, path, queued_at) SELECT ?, ?, ?, ?, ?
                WHERE NOT EXISTS (SELECT 1 FROM lfs_object WHERE oid = ? AND size = ?)
                ON CONFLICT(package_id, oid) DO NOTHING
                """)
            for object in objects {
                try statement.execute(arguments: [package, object.oid.hex, object.size, object.path, time, object.oid.hex, object.size])
            }
        }
    }

    /// What `package` still waits for, largest last (small objects first, so one huge object
    /// does not hold back the others).
    public func pendingLFS(package: Int64) throws -> [LFSPendingRecord] {
        try read { db in
            try db.rows(sql: """
                SELECT oid, size, path, attempts, reason FROM lfs_pending WHERE package_id = ? ORDER BY size, oid
                """, arguments: [package]).compactMap { row in
                ContentID(hex: row["oid"]).map { LFSPendingRecord(oid: $0, size: row["size"], path: row["path"], attempts: row["attempts"], reason: row["reason"]) }
            }
        }
    }

    /// Every object some package still waits for (hex ids).
    public func pendingLFSObjects() throws -> Set<String> {
        try read { db in Set(try db.values(String.self, sql: "SELECT DISTINCT oid FROM lfs_pending")) }
    }

    /// Forgets `package`'s wish for objects the policy no longer selects.
    public func dropPendingLFS(package: Int64, oids: [ContentID]) throws {
        guard !oids.isEmpty else { return }
        try write { db in
            for oid in oids {
                try db.execute(sql: "DELETE FROM lfs_pending WHERE package_id = ? AND oid = ?", arguments: [package, oid.hex])
            }
        }
    }

    /// Records that the blob store holds object `oid`: no package waits for it any more.
    public func recordLFSStored(_ oid: ContentID, size: Int64, at date: Date) throws {
        try recordLFSStored([(oid, size)], at: date)
    }

    /// Records that the blob store holds `objects`, in one transaction. `size` is the size of
    /// the stored file (the caller checked it): it corrects a row an earlier version recorded
    /// with a pointer's false size. Only the packages that want the object with that size stop
    /// waiting for it.
    public func recordLFSStored(_ objects: [(oid: ContentID, size: Int64)], at date: Date) throws {
        let time = Self.timestamp(date)
        guard !objects.isEmpty else { return }
        try write { db in
            for object in objects {
                try db.execute(sql: """
                    INSERT INTO lfs_object(oid, size, stored_at) VALUES (?, ?, ?) ON CONFLICT(oid) DO UPDATE SET size = excluded.size
                    """, arguments: [object.oid.hex, object.size, time])
                try db.execute(sql: "DELETE FROM lfs_pending WHERE oid = ? AND size = ?", arguments: [object.oid.hex, object.size])
            }
        }
    }

    /// Records a failed attempt at `oid` for `package`, and why (it stays pending).
    public func recordLFSFailure(_ oid: ContentID, package: Int64, reason: String, at date: Date) throws {
        let time = Self.timestamp(date)
        try write { db in
            try db.execute(sql: """
                UPDATE lfs_pending SET attempts = attempts + 1, last_attempt_at = ?, reason = ? WHERE package_id = ? AND oid = ?
                """, arguments: [time, reason, package, oid.hex])
        }
    }

    /// Records why `oid` waits for `package` without counting a failed attempt: the cause is
    /// local (the blob store's disk is short of space), not the object's or the server's.
    public func recordLFSDeferred(_ oid: ContentID, package: Int64, reason: String, at date: Date) throws {
        let time = Self.timestamp(date)
        try write { db in
            try db.execute(sql: """
                UPDATE lfs_pending SET last_attempt_at = ?, reason = ? WHERE package_id = ? AND oid = ?
                """, arguments: [time, reason, package, oid.hex])
        }
    }

    /// Whether the catalog records `oid` as stored.
    public func isLFSStored(_ oid: ContentID) throws -> Bool {
        try read { db in try db.value(Bool.self, sql: "SELECT 1 FROM lfs_object WHERE oid = ?", arguments: [oid.hex]) ?? false }
    }

    /// Why `oid` is still pending (the latest reason any package recorded), if it is.
    public func lfsPendingReason(_ oid: ContentID) throws -> (attempts: Int, reason: String?)? {
        try read { db in
            try db.row(sql: """
                SELECT attempts, reason FROM lfs_pending WHERE oid = ? ORDER BY last_attempt_at IS NULL, last_attempt_at DESC LIMIT 1
                """, arguments: [oid.hex]).map { (attempts: $0["attempts"], reason: $0["reason"]) }
        }
    }

    /// Every object the catalog records as stored, with its size (for verification).
    public func storedLFSObjects() throws -> [(oid: ContentID, size: Int64)] {
        try read { db in
            try db.rows(sql: "SELECT oid, size FROM lfs_object").compactMap { row in
                ContentID(hex: row["oid"]).map { (oid: $0, size: row["size"]) }
            }
        }
    }
}
