import Foundation

/// A file that some package's history introduced: what the reuse report groups.
public struct IntroducedFile: Sendable {
    /// The LFS object id when the file is a pointer, else the content's SHA-256.
    public var key: String
    public var isLFS: Bool
    /// The object's (or file's) size.
    public var size: Int64
    public var package: String
    /// The repository the package lives in; with ``path``, the file's identity (packages of
    /// one repository that include the same path share one file, which is not reuse).
    public var repository: String
    public var path: String
    /// Committer time (Unix seconds) of the first commit that introduced it in the package.
    public var firstSeen: Int64
}

extension Catalog {
    /// Every file each package's history introduced (added or changed to), keyed by LFS object
    /// or content hash, with the earliest commit that did so; `pathFilter` keeps the paths wanted.
    public func introducedFiles(pathFilter: (String) -> Bool) throws -> [IntroducedFile] {
        try read { db in
            var files: [IntroducedFile] = []
            try db.each(sql: """
                SELECT COALESCE(b.lfs_oid, b.sha256) AS key, MAX(CASE WHEN b.lfs_oid IS NOT NULL THEN 1 ELSE 0 END) AS is_lfs,
                       MAX(COALESCE(b.lfs_size, b.size)) AS size, MIN(p.hub || ':' || p.package_id) AS package,
                       MIN(r.url) AS repository, ch.new_path AS path, MIN(c.committer_time) AS first_seen
                FROM commit_change ch
                JOIN blob b ON b.git_blob = ch.new_blob
                JOIN repository_commit rc ON rc.commit_id = ch.commit_id
                JOIN git_commit c ON c.id = ch.commit_id
                JOIN repository r ON r.id = rc.repository_id
                JOIN package p ON p.repository_id = rc.repository_id
                    AND (p.subpath = '' OR substr(ch.new_path, 1, length(p.subpath) + 1) = p.subpath || '/')
                    AND NOT EXISTS (SELECT 1 FROM \(db.dialect.jsonStrings("p.scope", key: "excluded")) WHERE p.subpath || '/' || x.value = ch.new_path)
                WHERE ch.new_blob IS NOT NULL
                GROUP BY COALESCE(b.lfs_oid, b.sha256), p.id, ch.new_path
                """, arguments: []) { row in
                let path: String = row["path"]
                let isLFS: Bool = row["is_lfs"]
                guard isLFS || pathFilter(path) else { return }
                files.append(IntroducedFile(key: row["key"], isLFS: isLFS, size: row["size"], package: row["package"],
                                            repository: row["repository"], path: path,
                                            firstSeen: row["first_seen"]))
            }
            return files
        }
    }
}
