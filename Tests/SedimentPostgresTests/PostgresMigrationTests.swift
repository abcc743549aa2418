import Foundation
import SedimentStore
import TestSupport
import XCTest
@testable import SedimentPostgres

final class PostgresMigrationTests: PostgresTestCase {
    func testMigrationsRunOnceAndAreRecorded() throws {
        let settings = try newDatabase()
        try open(settings).close()
        let db = try open(settings)
        defer { db.close() }
        XCTAssertFalse(try db.needsUpgrade())
        let applied = try db.read { c in try c.rows(sql: "SELECT name, applied_at FROM sediment_migration") }
        XCTAssertEqual(applied.map { $0["name"] as String }, PostgresMigrations.all.map(\.name))
        XCTAssertEqual(applied.map { $0["name"] as String }.first, "v1: catalog")
        XCTAssertNotNil(ISO8601DateFormatter.withMilliseconds.date(from: applied[0]["applied_at"]), "an ISO 8601 timestamp")
        // A migration the database lacks is seen.
        try server.psql("DELETE FROM sediment_migration", database: settings.database)
        XCTAssertTrue(try db.needsUpgrade())
    }

    func testAReadOnlyOpenOfAnEmptyDatabaseNeedsUpgradeAndChangesNothing() throws {
        let settings = try newDatabase()
        let db = try PostgreSQLDatabase(readOnlySettings: settings, environment: environment)
        defer { db.close() }
        XCTAssertTrue(try db.needsUpgrade())
        let tables = try server.psql("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'", database: settings.database)
        XCTAssertEqual(tables, "0")
    }

    func testWorkersOpeningANewDatabaseTogetherAllSucceed() throws {
        let settings = try newDatabase()
        let environment = self.environment
        let failures = Collected<String>()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                let db = try PostgreSQLDatabase(settings: settings, environment: environment)
                db.close()
            } catch {
                failures.add("\(error)")
            }
        }
        XCTAssertEqual(failures.all, [])
        XCTAssertEqual(try server.psql("SELECT COUNT(*) FROM sediment_migration", database: settings.database),
                       "\(PostgresMigrations.all.count)", "each migration applied once")
    }

    func testTextSortsByBytesWhateverTheDatabasesLocale() throws {
        // A database whose default collation is linguistic (ICU's en-US: a < A < b < B).
        let settings = try newDatabase("icu", options: "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'")
        let db = try open(settings)
        defer { db.close() }
        let letters = ["b", "B", "a", "A"]
        let linguistic = try db.readOne { c in
            try c.values(String.self, sql: "SELECT x FROM (VALUES ('b'), ('B'), ('a'), ('A')) AS v(x) ORDER BY x")
        }
        XCTAssertEqual(linguistic, ["a", "A", "b", "B"], "the database's own order is not byte order")
        try db.write { c in
            for name in letters { try c.execute(sql: "INSERT INTO hub (name, kind) VALUES (?, 'k')", arguments: [name]) }
        }
        XCTAssertEqual(try db.read { c in try c.values(String.self, sql: "SELECT name FROM hub ORDER BY name") }, ["A", "B", "a", "b"])
    }
}

extension ISO8601DateFormatter {
    static var withMilliseconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
