import GRDB

extension CatalogSchema {
    /// The migrations of several workers sharing one catalog (appended to ``migrator``).
    static func registerWorkerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v12: workers and leases") { db in
            // The processes writing to the catalog (workers), with their heartbeat, and what
            // each holds for a while (a lease: the right to write, later a package's visit).
            try db.execute(sql: """
                CREATE TABLE worker (
                    id TEXT PRIMARY KEY,
                    host TEXT NOT NULL,
                    pid INTEGER NOT NULL,
                    storage TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    heartbeat_at TEXT NOT NULL,
                    stopped_at TEXT
                ) WITHOUT ROWID;
                CREATE TABLE lease (
                    resource TEXT PRIMARY KEY,
                    worker_id TEXT NOT NULL REFERENCES worker(id),
                    acquired_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX lease_worker ON lease(worker_id);
                """)
        }
    }
}
