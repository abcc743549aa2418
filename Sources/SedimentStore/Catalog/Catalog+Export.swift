import Foundation

/// The catalog's tables as `sediment export` writes them.
public enum ExportTable: String, CaseIterable, Sendable {
    case packages, snapshots, observations, commits

    func sql(_ dialect: SQLDialect) -> String {
        switch self {
        case .packages:
            return """
                SELECT p.hub, p.package_id AS id, r.url AS repository, p.subpath, p.first_seen, p.last_seen, p.deleted, p.gated
                FROM package p LEFT JOIN repository r ON r.id = p.repository_id ORDER BY p.hub, p.package_id
                """
        case .snapshots:
            return """
                SELECT p.hub, p.package_id AS package, s.id AS snapshot, s.taken_at, s.head, s.head_ref, s.manifest_id AS manifest, s.refs
                FROM snapshot s JOIN package p ON p.id = s.package_id ORDER BY s.seq
                """
        case .observations:
            return """
                SELECT p.hub, p.package_id AS package, o.observed_at, \(Catalog.observationColumns.map { "o." + $0 }.joined(separator: ", "))
                FROM observation o JOIN package p ON p.id = o.package_id ORDER BY o.visit_id
                """
        case .commits:
            return """
                SELECT r.url AS repository, c.id AS "commit",
                    (SELECT \(dialect.groupConcat("parent_id", separator: " ", orderBy: "position"))
                        FROM (SELECT parent_id, position FROM commit_parent WHERE commit_id = c.id ORDER BY position) ordered) AS parents,
                    c.author_name, c.author_email, c.author_time, c.author_offset, c.committer_name, c.committer_email,
                    c.committer_time, c.committer_offset, c.message
                FROM repository_commit rc JOIN git_commit c ON c.id = rc.commit_id JOIN repository r ON r.id = rc.repository_id
                ORDER BY r.url, c.committer_time, c.id
                """
        }
    }
}

extension Catalog {
    /// Streams every row of `table` (column names, then values) without holding the table in memory.
    public func stream(_ table: ExportTable, _ body: ([String], [CatalogValue]) throws -> Void) throws {
        try read { db in
            try db.each(sql: table.sql(db.dialect), arguments: []) { row in
                try body(row.columns, row.values.map(CatalogValue.init))
            }
        }
    }

    /// Every manifest: its id, commit and subpath, for streaming their entries.
    public func manifestRows() throws -> [(id: ContentID, commit: String, subpath: String)] {
        try read { db in
            try db.rows(sql: "SELECT id, commit_id, subpath FROM manifest ORDER BY commit_id, subpath").compactMap { row in
                ContentID(hex: row["id"]).map { (id: $0, commit: row["commit_id"], subpath: row["subpath"]) }
            }
        }
    }

    /// The values a PTMTorrent record needs for one package: its hub's kind, its last head,
    /// its latest hub metadata and its latest observation's card datasets and model type.
    public func ptmtorrentFacts(package: Int64) throws -> (kind: String, head: String?, metadata: String?, datasets: String?, modelType: String?, task: String?) {
        try read { db in
            let kind = try db.value(String.self, sql: "SELECT h.kind FROM hub h JOIN package p ON p.hub = h.name WHERE p.id = ?", arguments: [package]) ?? ""
            let head = try db.value(String.self, sql: "SELECT head FROM snapshot WHERE package_id = ? ORDER BY seq DESC LIMIT 1", arguments: [package])
            let metadata = try db.value(String.self, sql: "SELECT metadata FROM visit_metadata WHERE package_id = ? ORDER BY visit_id DESC LIMIT 1", arguments: [package])
            let row = try db.row(sql: """
                SELECT card_datasets, config_model_type, card_pipeline_tag FROM observation WHERE package_id = ? ORDER BY visit_id DESC LIMIT 1
                """, arguments: [package])
            return (kind, head, metadata, row?["card_datasets"], row?["config_model_type"], row?["card_pipeline_tag"])
        }
    }
}

extension CatalogValue {
    init(_ value: SQLValue) {
        switch value {
        case .integer(let n): self = .int(n)
        case .real(let d): self = .double(d)
        case .text(let s): self = .text(s)
        case .blob(let b): self = .text(String(decoding: b, as: UTF8.self))
        case .null: self = .null
        }
    }
}
