import Foundation

extension Catalog {
    /// Every repository's row id, URL (without credentials) and mirror folder.
    public func repositoryMirrors() throws -> [(id: Int64, url: String, mirror: String)] {
        try read { db in
            try db.rows(sql: "SELECT id, url, mirror_path FROM repository ORDER BY id").map { ($0["id"], $0["url"], $0["mirror_path"]) }
        }
    }

    /// Records that repository `id`'s mirror lives in `mirror` now.
    public func setMirrorPath(repository id: Int64, to mirror: String) throws {
        try write { db in
            try db.execute(sql: "UPDATE repository SET mirror_path = ? WHERE id = ?", arguments: [mirror, id])
        }
    }
}
