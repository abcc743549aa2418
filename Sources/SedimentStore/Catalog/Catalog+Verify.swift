import Foundation

extension Catalog {
    /// The database's own check of itself (SQLite's integrity_check): "ok", or the problems it found.
    public func integrityCheck() throws -> [String] {
        // PostgreSQL checks its pages and constraints itself; it has no whole-database check.
        if dialect == .postgres { return ["ok"] }
        return try read { db in try db.values(String.self, sql: "PRAGMA integrity_check") }
    }

    /// The SHA-256 of every blob the catalog says is stored.
    public func storedBlobIDs() throws -> [ContentID] {
        try read { db in try db.values(String.self, sql: "SELECT DISTINCT sha256 FROM blob WHERE stored = 1").compactMap(ContentID.init(hex:)) }
    }

    /// The size the catalog records for each stored blob (by SHA-256).
    public func storedBlobSizes() throws -> [ContentID: Int64] {
        try read { db in
            var sizes: [ContentID: Int64] = [:]
            for row in try db.rows(sql: "SELECT sha256, MIN(size) AS size FROM blob WHERE stored = 1 GROUP BY sha256") {
                if let id = ContentID(hex: row["sha256"]) { sizes[id] = row["size"] }
            }
            return sizes
        }
    }

    /// Every manifest with the packages whose snapshots use it (for naming what damage affects).
    public func manifestUsers() throws -> [(id: ContentID, commit: String, packages: [String])] {
        try read { db in
            try db.rows(sql: """
                SELECT m.id, m.commit_id,
                    (SELECT \(db.dialect.groupConcat("p.hub || ':' || p.package_id", separator: ",", distinct: true)) FROM snapshot s JOIN package p ON p.id = s.package_id
                     WHERE s.manifest_id = m.id) AS users
                FROM manifest m
                """).compactMap { row in
                ContentID(hex: row["id"]).map { id in
                    (id: id, commit: row["commit_id"], packages: (row["users"] as String?)?.split(separator: ",").map(String.init) ?? [])
                }
            }
        }
    }

    /// References that point at nothing, as problem descriptions.
    public func danglingReferences() throws -> [String] {
        try read { db in
            var problems: [String] = []
            for row in try db.rows(sql: """
                SELECT s.id, p.hub || ':' || p.package_id AS package, s.manifest_id FROM snapshot s JOIN package p ON p.id = s.package_id
                WHERE s.manifest_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM manifest m WHERE m.id = s.manifest_id)
                """) {
                problems.append("snapshot \(String((row["id"] as String).prefix(12))) of \(row["package"] as String) names manifest \(row["manifest_id"] as String), which the catalog does not hold")
            }
            for row in try db.rows(sql: """
                SELECT cp.commit_id, cp.parent_id FROM commit_parent cp
                WHERE NOT EXISTS (SELECT 1 FROM git_commit c WHERE c.id = cp.parent_id)
                """) {
                problems.append("commit \(row["commit_id"] as String) has parent \(row["parent_id"] as String), which the catalog does not hold")
            }
            for row in try db.rows(sql: """
                SELECT rc.commit_id FROM repository_commit rc WHERE NOT EXISTS (SELECT 1 FROM git_commit c WHERE c.id = rc.commit_id)
                """) {
                problems.append("commit \(row["commit_id"] as String) is listed in a repository but not recorded")
            }
            return problems
        }
    }

    /// The mirror refs the catalog relies on: archived tips and lost refs, per mirror.
    public func mirrorReferences() throws -> [(mirror: String, url: String, refs: [(name: String, target: String)])] {
        try read { db in
            try db.rows(sql: "SELECT id, url, mirror_path FROM repository ORDER BY url").map { repo in
                let id: Int64 = repo["id"]
                var refs: [(String, String)] = try db.rows(sql: "SELECT name, target FROM ref_tip WHERE repository_id = ?", arguments: [id])
                    .map { ($0["name"], $0["target"]) }
                refs += try db.rows(sql: "SELECT archived_as, target FROM lost_ref WHERE repository_id = ?", arguments: [id])
                    .map { ($0["archived_as"], $0["target"]) }
                return (mirror: repo["mirror_path"], url: repo["url"], refs: refs)
            }
        }
    }
}
