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
        migrator.registerMigration("v13: several workers") { db in
            // Which worker runs a crawl or a visit (none: a single process, as before), and the
            // latest listing of each hub as the worker that made it stored it for the others, and
            // the pauses a server asked of one worker, which hold the others back too.
            try db.execute(sql: """
                ALTER TABLE crawl ADD COLUMN worker_id TEXT;
                ALTER TABLE visit_running ADD COLUMN worker_id TEXT;
                CREATE TABLE listed_ref (
                    package_id INTEGER PRIMARY KEY REFERENCES package(id),
                    hub TEXT NOT NULL,
                    listed_at TEXT NOT NULL,
                    ref TEXT NOT NULL
                );
                CREATE INDEX listed_ref_hub ON listed_ref(hub);
                CREATE TABLE hub_listing (
                    hub TEXT PRIMARY KEY,
                    listed_at TEXT NOT NULL,
                    worker_id TEXT
                ) WITHOUT ROWID;
                CREATE TABLE host_pause (
                    host TEXT PRIMARY KEY,
                    until TEXT NOT NULL
                ) WITHOUT ROWID;
                """)
        }
    }
}
