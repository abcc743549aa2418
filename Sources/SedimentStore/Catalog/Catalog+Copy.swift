import Foundation

/// One table as ``Catalog/copy(to:progress:)`` moves it.
public struct CatalogCopyProgress: Sendable {
    public var table: String
    /// Rows copied so far of this table, and its total.
    public var rows: Int
    public var total: Int
}

/// Why a catalog cannot be copied.
public enum CatalogCopyError: Error, CustomStringConvertible {
    case destinationNotEmpty(location: String, table: String, rows: Int)
    case countMismatch(table: String, source: Int, destination: Int)
    case sourceNeedsUpgrade(location: String)

    public var description: String {
        switch self {
        case .destinationNotEmpty(let location, let table, let rows):
            return "the catalog at \(location) is not empty (table \(table) has \(rows) row(s)); copy into a new, empty database"
        case .countMismatch(let table, let source, let destination):
            return "table \(table): \(source) row(s) in the source but \(destination) after the copy"
        case .sourceNeedsUpgrade(let location):
            return "the catalog at \(location) was written by an older version; open it once with this version (`sediment status`) before copying it"
        }
    }
}

extension Catalog {
    /// The catalog's tables, each after the tables its rows refer to, with the columns that
    /// order its rows (the same order in every backend).
    static let copiedTables: [(name: String, key: String)] = [
        ("hub", "name"), ("repository", "id"), ("package", "id"),
        ("git_commit", "id"), ("commit_parent", "commit_id, position"), ("repository_commit", "repository_id, commit_id"),
        ("commit_change", "commit_id, seq"), ("blob", "git_blob"), ("manifest", "commit_id, subpath"),
        ("ref_tip", "repository_id, name"), ("lost_ref", "id"), ("crawl", "id"), ("crawl_problem", "crawl_id, seq"),
        ("snapshot", "seq"), ("visit", "id"), ("visit_metadata", "visit_id"),
        ("observation_facts", "id"), ("observation_point", "visit_id"),
        ("http_cache", "url"), ("package_schedule", "package_id"), ("visit_running", "package_id"),
        ("lfs_object", "oid"), ("lfs_pending", "package_id, oid"), ("pack", "id"), ("pack_blob", "blob"),
    ]

    /// Tables whose `id` (or `seq`) the database assigns: the destination's counter is moved
    /// past the copied rows.
    static let numberedTables: [(name: String, column: String)] = [
        ("repository", "id"), ("package", "id"), ("lost_ref", "id"), ("crawl", "id"), ("snapshot", "seq"), ("visit", "id"),
        ("observation_facts", "id"),
    ]

    /// Copies every row of this catalog into `destination`, which must be empty (freshly
    /// created), in one transaction there: row ids stay as they are, so records and mirrors
    /// still match. Counts every table on both sides afterwards.
    public func copy(to destination: Catalog, progress: (CatalogCopyProgress) -> Void = { _ in }) throws {
        if try needsUpgrade() { throw CatalogCopyError.sourceNeedsUpgrade(location: path) }
        try destination.read { db in
            for table in Self.copiedTables {
                let rows = try db.value(Int.self, sql: "SELECT COUNT(*) FROM \(table.name)") ?? 0
                if rows > 0 { throw CatalogCopyError.destinationNotEmpty(location: destination.path, table: table.name, rows: rows) }
            }
        }
        try read { source in
            try destination.write { target in
                for table in Self.copiedTables {
                    let total = try source.value(Int.self, sql: "SELECT COUNT(*) FROM \(table.name)") ?? 0
                    var batch: [SQLRow] = []
                    var copied = 0
                    func flush() throws {
                        guard let first = batch.first else { return }
                        // Quoted: a column may be a reserved word (`offset`).
                        try target.insertRows(into: table.name, columns: first.columns.map { "\"\($0)\"" }, batch.map(\.values))
                        copied += batch.count
                        batch.removeAll(keepingCapacity: true)
                        progress(CatalogCopyProgress(table: table.name, rows: copied, total: total))
                    }
                    try source.each(sql: "SELECT * FROM \(table.name) ORDER BY \(table.key)", arguments: []) { row in
                        batch.append(row)
                        if batch.count >= 1_000 { try flush() }
                    }
                    try flush()
                    if total == 0 { progress(CatalogCopyProgress(table: table.name, rows: 0, total: 0)) }
                }
                if target.dialect == .postgres {
                    for table in Self.numberedTables {
                        try target.execute(sql: """
                            SELECT setval(pg_get_serial_sequence('\(table.name)', '\(table.column)'),
                                          COALESCE((SELECT MAX(\(table.column)) FROM \(table.name)), 0) + 1, false)
                            """)
                    }
                }
            }
        }
        try read { source in
            try destination.read { target in
                for table in Self.copiedTables {
                    let before = try source.value(Int.self, sql: "SELECT COUNT(*) FROM \(table.name)") ?? 0
                    let after = try target.value(Int.self, sql: "SELECT COUNT(*) FROM \(table.name)") ?? 0
                    if before != after { throw CatalogCopyError.countMismatch(table: table.name, source: before, destination: after) }
                }
            }
        }
    }
}
