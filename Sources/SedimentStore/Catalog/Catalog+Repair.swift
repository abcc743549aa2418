import Foundation

/// A repository as repair sees it: where its mirror is, where its LFS server is reached, and
/// which hubs' packages live in it (their credentials reach its LFS server).
public struct RepositorySource: Sendable {
    public var rowID: Int64
    /// The URL as the hub names it (before `[[rewrite]]` rules).
    public var url: String
    /// The mirror's folder, relative to `mirrors/`.
    public var mirror: String
    /// The archived tip of its default branch (where `.lfsconfig` is read), if any.
    public var head: String?
    /// The hubs of the packages that live in it.
    public var hubs: [String]
}

extension Catalog {
    /// The git blobs whose content is `sha256` (one, short of a SHA-1 collision).
    public func gitBlobs(sha256: ContentID) throws -> [String] {
        try read { db in try db.values(String.self, sql: "SELECT git_blob FROM blob WHERE sha256 = ?", arguments: [sha256.hex]) }
    }

    /// The git blobs that are LFS pointers to `oid`.
    public func gitBlobs(pointingAt oid: ContentID) throws -> [String] {
        try read { db in try db.values(String.self, sql: "SELECT git_blob FROM blob WHERE lfs_oid = ?", arguments: [oid.hex]) }
    }

    /// For each of `gitBlobs`, the repositories (row ids) whose archived commits added or
    /// changed a file to it: where it is most likely found. One scan of `commit_change` for
    /// up to 500 blobs.
    public func repositoriesIntroducing(_ gitBlobs: [String]) throws -> [String: [Int64]] {
        var result: [String: [Int64]] = [:]
        var start = 0
        while start < gitBlobs.count {
            let chunk = Array(gitBlobs[start..<min(gitBlobs.count, start + 500)])
            start += 500
            try read { db in
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                for row in try db.rows(sql: """
                    SELECT DISTINCT ch.new_blob, rc.repository_id FROM commit_change ch
                    JOIN repository_commit rc ON rc.commit_id = ch.commit_id
                    WHERE ch.new_blob IN (\(marks)) ORDER BY rc.repository_id
                    """, arguments: SQLArguments(chunk)) {
                    result[row["new_blob"], default: []].append(row["repository_id"])
                }
            }
        }
        return result
    }

    /// The repositories (row ids) whose archived history holds `commit`.
    public func repositoriesHolding(commit: String) throws -> [Int64] {
        try read { db in
            try db.values(Int64.self, sql: "SELECT repository_id FROM repository_commit WHERE commit_id = ? ORDER BY repository_id", arguments: [commit])
        }
    }

    /// Every repository of the catalog, with its mirror, head and hubs.
    public func repositorySources() throws -> [RepositorySource] {
        try read { db in
            try db.rows(sql: """
                SELECT r.id, r.url, r.mirror_path,
                    (SELECT t.target FROM ref_tip t WHERE t.repository_id = r.id AND t.name = r.default_branch) AS head,
                    (SELECT \(db.dialect.groupConcat("p.hub", separator: ",", distinct: true)) FROM package p WHERE p.repository_id = r.id) AS hubs
                FROM repository r ORDER BY r.id
                """).map { row in
                RepositorySource(rowID: row["id"], url: row["url"], mirror: row["mirror_path"], head: row["head"],
                                 hubs: (row["hubs"] as String?)?.split(separator: ",").map(String.init) ?? [])
            }
        }
    }

    /// What manifest `id` lists: the commits (and subpaths) it was built from.
    public func manifestOrigins(_ id: ContentID) throws -> [(commit: String, subpath: String)] {
        try read { db in
            try db.rows(sql: "SELECT commit_id, subpath FROM manifest WHERE id = ? ORDER BY commit_id, subpath", arguments: [id.hex])
                .map { (commit: $0["commit_id"], subpath: $0["subpath"]) }
        }
    }
}
