import Foundation
import SedimentStore
import TestSupport
import XCTest
@testable import SedimentPostgres

/// The PostgreSQL catalog has SQLite's tables, columns, keys, indexes and views, and its views
/// answer as SQLite's do.
final class PostgresSchemaTests: PostgresTestCase {
    var folder: String!
    var sqlite: SQLiteDatabase!
    var postgres: PostgreSQLDatabase!

    override func setUpWithError() throws {
        try super.setUpWithError()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        sqlite = try SQLiteDatabase(path: folder + "/catalog.sqlite")
        postgres = try open()
    }

    override func tearDownWithError() throws {
        postgres?.close()
        sqlite?.close()
        try? FileManager.default.removeItem(atPath: folder)
        try super.tearDownWithError()
    }

    /// The row ids SQLite numbers itself (its other INTEGER PRIMARY KEYs take another table's id).
    static let rowIDs: Set = ["repository.id", "package.id", "lost_ref.id", "crawl.id", "visit.id", "snapshot.seq", "observation_facts.id"]

    static let types = ["INTEGER": "bigint", "TEXT": "text", "REAL": "double precision", "BLOB": "bytea"]

    func testEveryTableAndColumnOfSQLitesCatalog() throws {
        let sqliteTables = try sqlite.read { c in
            try c.values(String.self, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations' ORDER BY name
                """)
        }
        let postgresTables = try postgres.read { c in
            try c.values(String.self, sql: """
                SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
                    AND table_name != 'sediment_migration' ORDER BY table_name
                """)
        }
        XCTAssertEqual(postgresTables, sqliteTables)
        XCTAssertGreaterThan(sqliteTables.count, 20)
        for table in sqliteTables {
            let expected = try sqlite.read { c in try c.rows(sql: "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid", arguments: [table]) }
            let actual = try postgres.read { c in
                try c.rows(sql: """
                    SELECT column_name, data_type, is_nullable, collation_name, is_identity FROM information_schema.columns
                    WHERE table_schema = 'public' AND table_name = ? ORDER BY ordinal_position
                    """, arguments: [table])
            }
            XCTAssertEqual(actual.map { $0["column_name"] as String }, expected.map { $0["name"] as String }, "columns of \(table)")
            for (want, have) in zip(expected, actual) {
                let column = "\(table).\(want["name"] as String)"
                XCTAssertEqual(have["data_type"] as String, Self.types[want["type"] as String], column)
                if (want["pk"] as Int) == 0 {
                    XCTAssertEqual(have["is_nullable"] as String, (want["notnull"] as Int) == 1 ? "NO" : "YES", column)
                }
                if (want["type"] as String) == "TEXT" {
                    XCTAssertEqual(have["collation_name"] as String?, "C", column)
                }
                XCTAssertEqual(have["is_identity"] as String, Self.rowIDs.contains(column) ? "YES" : "NO", column)
            }
            XCTAssertEqual(try keys(postgres: table), try keys(sqlite: table), "keys and uniques of \(table)")
            XCTAssertEqual(try foreignKeys(postgres: table), try foreignKeys(sqlite: table), "references of \(table)")
        }
        let sqliteIndexes = try sqlite.read { c in
            try c.values(String.self, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
        }
        let postgresIndexes = Set(try postgres.read { c in try c.values(String.self, sql: "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public'") })
        XCTAssertEqual(Set(sqliteIndexes).subtracting(postgresIndexes), [], "indexes missing in PostgreSQL")
    }

    /// Each unique index or key as "unique(columns)" or "index(columns)", the primary key included.
    func keys(sqlite table: String) throws -> Set<String> {
        try sqlite.read { c in
            var keys: Set<String> = []
            let pk = try c.rows(sql: "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", arguments: [table]).map { $0["name"] as String }
            keys.insert("unique(\(pk.joined(separator: ",")))")
            for index in try c.rows(sql: "SELECT name, \"unique\" FROM pragma_index_list(?)", arguments: [table]) {
                let columns = try c.values(String.self, sql: "SELECT name FROM pragma_index_info(?) ORDER BY seqno", arguments: [index["name"] as String])
                keys.insert("\((index["unique"] as Int) == 1 ? "unique" : "index")(\(columns.joined(separator: ",")))")
            }
            return keys
        }
    }

    func keys(postgres table: String) throws -> Set<String> {
        let rows = try postgres.read { c in
            try c.rows(sql: """
                SELECT i.indisunique AS is_unique, string_agg(a.attname::text, ',' ORDER BY k.ord) AS columns
                FROM pg_index i
                JOIN pg_class t ON t.oid = i.indrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                WHERE n.nspname = 'public' AND t.relname = ?
                GROUP BY i.indexrelid, i.indisunique
                """, arguments: [table])
        }
        return Set(rows.map { "\(($0["is_unique"] as Int) == 1 ? "unique" : "index")(\($0["columns"] as String))" })
    }

    func foreignKeys(sqlite table: String) throws -> Set<String> {
        try sqlite.read { c in
            Set(try c.rows(sql: "SELECT \"from\", \"table\", \"to\" FROM pragma_foreign_key_list(?)", arguments: [table]).map {
                "\($0["from"] as String) -> \($0["table"] as String)(\($0["to"] as String))"
            })
        }
    }

    func foreignKeys(postgres table: String) throws -> Set<String> {
        try postgres.read { c in
            Set(try c.rows(sql: """
                SELECT a.attname::text AS source, r.relname::text AS target, af.attname::text AS target_column
                FROM pg_constraint k
                JOIN pg_class t ON t.oid = k.conrelid
                JOIN pg_class r ON r.oid = k.confrelid
                JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
                JOIN pg_attribute af ON af.attrelid = k.confrelid AND af.attnum = k.confkey[1]
                WHERE k.contype = 'f' AND t.relname = ?
                """, arguments: [table]).map { "\($0["source"] as String) -> \($0["target"] as String)(\($0["target_column"] as String))" })
        }
    }

    func testTheViewsExistAndAnswerAsSQLitesDo() throws {
        let views = try sqlite.read { c in try c.values(String.self, sql: "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name") }
        XCTAssertEqual(views, ["card_evolution", "card_field_values", "commit_activity", "format_changes", "license_changes", "lineage",
                               "observation", "package_activity", "package_commits", "package_timeseries", "weight_changes"])
        let postgresViews = try postgres.read { c in
            try c.values(String.self, sql: "SELECT table_name FROM information_schema.views WHERE table_schema = 'public' ORDER BY table_name")
        }
        XCTAssertEqual(postgresViews, views)
        for database in [sqlite as any SQLDatabase, postgres as any SQLDatabase] {
            try database.write { c in try ViewFixture.insert(c) }
        }
        let orders = ["license_changes": "package, observed_at", "observation": "visit_id", "package_timeseries": "visit_id",
                      "weight_changes": "package, path", "package_commits": "package, commit_id", "commit_activity": "package, month",
                      "package_activity": "package", "format_changes": "package, format, commit_time", "lineage": "package, base, source",
                      "card_evolution": "visit_id", "card_field_values": "visit_id, field, COALESCE(position, -1)"]
        for view in views {
            let sql = "SELECT * FROM \(view) ORDER BY \(orders[view]!)"
            let expected = try sqlite.read { c in try c.rows(sql: sql) }
            let actual = try postgres.read { c in try c.rows(sql: sql) }
            XCTAssertFalse(expected.isEmpty, "\(view) has rows")
            XCTAssertEqual(actual.first?.columns, expected.first?.columns, view)
            XCTAssertEqual(actual.map(\.values), expected.map(\.values), view)
        }
        // What the fixture was made to show.
        let licenses = try postgres.read { c in try c.rows(sql: "SELECT package, previous_license, license FROM license_changes ORDER BY package") }
        XCTAssertEqual(licenses.map(\.values), [
            [.text("org/a"), .text("mit"), .text("apache-2.0")],
            [.text("org/b"), .null, .text("mit")],
        ])
        // org/sub's scope excludes sub/x.bin; README.md is no weight.
        let weights = try postgres.read { c in try c.rows(sql: "SELECT package, path FROM weight_changes ORDER BY package, path") }
        XCTAssertEqual(weights.filter { $0["package"] == "org/sub" }.map(\.values), [[.text("org/sub"), .text("sub/w.bin")]])
        XCTAssertTrue(weights.contains { $0.values == [.text("org/a"), .text("sub/x.bin")] }, "excluded from org/sub only")
        XCTAssertFalse(weights.contains { ($0["path"] as String) == "README.md" })
        // The research views: org/sub's pickle files are its own (x.bin excluded); a card's list of base models.
        let formats = try postgres.read { c in try c.rows(sql: "SELECT package, format, change, files FROM format_changes ORDER BY package") }
        XCTAssertEqual(formats.map(\.values), [[.text("org/a"), .text("pickle"), .text("added"), .integer(3)],
                                                [.text("org/sub"), .text("pickle"), .text("added"), .integer(1)]])
        let lineage = try postgres.read { c in try c.rows(sql: "SELECT package, base, base_hub FROM lineage ORDER BY package, base") }
        XCTAssertEqual(lineage.map(\.values), [[.text("org/a"), .text("org/b"), .text("hf")], [.text("org/b"), .text("org/a"), .text("hf")],
                                                [.text("org/b"), .text("x/y"), .null]])
    }
}

/// Rows that exercise the views: license changes across an unparseable card and from no
/// license, weight changes under a subpath and one a scope excludes.
enum ViewFixture {
    static func insert(_ c: any SQLConnection) throws {
        let t = "2026-01-01T00:00:00.000Z"
        try c.execute(sql: "INSERT INTO hub (name, kind) VALUES ('hf', 'huggingface')")
        try c.execute(sql: "INSERT INTO repository (id, url, mirror_path) VALUES (1, 'https://h/r', 'mirrors/r')")
        let packages: [(Int, String, String, String?)] = [
            (1, "org/a", "", "{\"card\":null,\"excluded\":[\"big.bin\"]}"), (2, "org/b", "", nil), (3, "org/sub", "sub", "{\"card\":null,\"excluded\":[\"x.bin\"]}"),
        ]
        for (id, name, subpath, scope) in packages {
            try c.execute(sql: """
                INSERT INTO package (id, hub, package_id, repository_id, subpath, first_seen, last_seen, scope)
                VALUES (?, 'hf', ?, ?, ?, ?, ?, ?)
                """, arguments: [id, name, id == 2 ? nil : 1, subpath, t, t, scope])
        }
        let observations: [(Int, Int, String?, String)] = [
            (1, 1, "mit", "ok"), (2, 1, nil, "unparseable"), (3, 1, "mit", "ok"), (4, 1, "apache-2.0", "ok"),
            (5, 2, nil, "absent"), (6, 2, "mit", "ok"),
        ]
        let cards = [4: #"{"base_model":"org/b","license":"apache-2.0","tags":[]}"#, 6: #"{"base_model":["org/a","x/y"],"license":"mit"}"#]
        for (visit, package, license, state) in observations {
            let at = "2026-01-0\(visit)T00:00:00.000Z"
            try c.execute(sql: "INSERT INTO visit (id, package_id, started_at, finished_at, status, eventful) VALUES (?, ?, ?, ?, 'ok', 1)",
                          arguments: [visit, package, at, at])
            try c.execute(sql: """
                INSERT INTO observation_facts (id, commits_total, files, bytes, lfs_files, lfs_bytes, card_license, card_state, config_state, card_fields)
                VALUES (?, 1, 2, 300, 1, 200, ?, ?, 'ok', ?)
                """, arguments: [visit, license, state, cards[visit]])
            try c.execute(sql: """
                INSERT INTO observation_point (visit_id, package_id, observed_at, downloads, hub_metrics, commits_new, facts_id)
                VALUES (?, ?, ?, ?, ?, 0, ?)
                """, arguments: [visit, package, at, visit * 10, visit == 3 ? #"{"downloads":30,"downloadsAllTime":1234}"# : nil, visit])
        }
        try c.execute(sql: """
            INSERT INTO git_commit (id, tree, author_name, author_email, author_time, author_offset, committer_name, committer_email,
                committer_time, committer_offset, message) VALUES ('c1', 't1', 'A', 'a@x', 100, 0, 'C', 'c@x', 200, 60, 'weights')
            """)
        try c.execute(sql: "INSERT INTO repository_commit (repository_id, commit_id) VALUES (1, 'c1')")
        let blobs: [(String, String?, Int?)] = [("b1", "o1", 10), ("b2", "o2", 20), ("b3", "o3", 30), ("b4", nil, nil), ("b5", "o5", 50)]
        for (blob, oid, size) in blobs {
            try c.execute(sql: "INSERT INTO blob (git_blob, sha256, size, stored, lfs_oid, lfs_size) VALUES (?, ?, 100, 1, ?, ?)",
                          arguments: [blob, "sha-" + blob, oid, size])
        }
        let changes = [("model.bin", "b1"), ("big.bin", "b2"), ("sub/w.bin", "b3"), ("README.md", "b4"), ("sub/x.bin", "b5")]
        for (seq, (path, blob)) in changes.enumerated() {
            try c.execute(sql: "INSERT INTO commit_change (commit_id, seq, status, new_path, new_blob, new_mode) VALUES ('c1', ?, 'added', ?, ?, 33188)",
                          arguments: [seq, path, blob])
        }
    }
}
