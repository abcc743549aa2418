import Foundation
import SedimentStore

/// One change of the PostgreSQL catalog's schema, applied once and remembered by name in
/// `sediment_migration`.
struct PostgresMigration: Sendable {
    let name: String
    let sql: String
}

/// The PostgreSQL catalog's migrations, in order. Never edit a shipped migration; append a new
/// one (and its SQLite twin in CatalogSchema.swift).
enum PostgresMigrations {
    static let all: [PostgresMigration] = [
        PostgresMigration(name: "v1: catalog", sql: PostgresSchemaV1.sql),
        PostgresMigration(name: "v2: workers and leases", sql: """
            CREATE TABLE worker (
                id TEXT COLLATE "C" PRIMARY KEY,
                host TEXT COLLATE "C" NOT NULL,
                pid BIGINT NOT NULL,
                storage TEXT COLLATE "C" NOT NULL,
                started_at TEXT COLLATE "C" NOT NULL,
                heartbeat_at TEXT COLLATE "C" NOT NULL,
                stopped_at TEXT COLLATE "C"
            );
            CREATE TABLE lease (
                resource TEXT COLLATE "C" PRIMARY KEY,
                worker_id TEXT COLLATE "C" NOT NULL REFERENCES worker(id),
                acquired_at TEXT COLLATE "C" NOT NULL,
                expires_at TEXT COLLATE "C" NOT NULL
            );
            CREATE INDEX lease_worker ON lease(worker_id);
            """),
        PostgresMigration(name: "v3: several workers", sql: """
            ALTER TABLE crawl ADD COLUMN worker_id TEXT COLLATE "C";
            ALTER TABLE visit_running ADD COLUMN worker_id TEXT COLLATE "C";
            CREATE TABLE listed_ref (
                package_id BIGINT PRIMARY KEY REFERENCES package(id),
                hub TEXT COLLATE "C" NOT NULL,
                listed_at TEXT COLLATE "C" NOT NULL,
                ref TEXT COLLATE "C" NOT NULL
            );
            CREATE INDEX listed_ref_hub ON listed_ref(hub);
            CREATE TABLE hub_listing (
                hub TEXT COLLATE "C" PRIMARY KEY,
                listed_at TEXT COLLATE "C" NOT NULL,
                worker_id TEXT COLLATE "C"
            );
            CREATE TABLE host_pause (
                host TEXT COLLATE "C" PRIMARY KEY,
                until TEXT COLLATE "C" NOT NULL
            );
            """),
    ]

    /// The advisory lock migrations hold: "Sediment" in ASCII.
    static let lockKey: Int64 = 0x5365_6469_6D65_6E74

    static let table = """
        CREATE TABLE IF NOT EXISTS sediment_migration (
            name TEXT COLLATE "C" PRIMARY KEY,
            applied_at TEXT COLLATE "C" NOT NULL
        )
        """

    /// Applies the missing migrations in one transaction holding the advisory lock: a worker
    /// opening the catalog while another migrates it waits, then finds nothing left to do.
    static func migrate(_ database: PostgreSQLDatabase) throws {
        try database.write { connection in
            try connection.execute(sql: "SELECT pg_advisory_xact_lock(\(lockKey))")
            try connection.execute(sql: table)
            let applied = Set(try connection.values(String.self, sql: "SELECT name FROM sediment_migration"))
            for migration in all where !applied.contains(migration.name) {
                do {
                    try connection.execute(sql: migration.sql)
                } catch let error as SQLDatabaseError {
                    throw SQLDatabaseError(message: "\(error.message) (migration \(migration.name))", transient: error.transient)
                }
                try connection.execute(sql: "INSERT INTO sediment_migration (name, applied_at) VALUES (?, ?)",
                                       arguments: [migration.name, timestamp(Date())])
            }
        }
    }

    /// Whether a known migration is missing (all are when the table is).
    static func missing(_ connection: any SQLConnection) throws -> Bool {
        let exists = try connection.value(Bool.self, sql: "SELECT to_regclass('sediment_migration') IS NOT NULL") ?? false
        guard exists else { return true }
        let applied = Set(try connection.values(String.self, sql: "SELECT name FROM sediment_migration"))
        return all.contains { !applied.contains($0.name) }
    }

    /// ISO 8601 in UTC with milliseconds, the catalog's form of an instant.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
