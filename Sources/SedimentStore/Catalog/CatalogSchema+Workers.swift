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
        migrator.registerMigration("v14: observation facts") { db in
            // What an observation derives from the archived head (sizes, formats, card and
            // config fields) is kept once per change, in observation_facts; each visit adds
            // only its point (time, metrics) in observation_point. `observation` is now the
            // view joining them, with the columns the table had.
            try db.execute(sql: """
                CREATE TABLE observation_facts (
                    id INTEGER PRIMARY KEY,
                    commits_total INTEGER NOT NULL,
                    files INTEGER NOT NULL,
                    bytes INTEGER NOT NULL,
                    lfs_files INTEGER NOT NULL,
                    lfs_bytes INTEGER NOT NULL,
                    weight_formats TEXT,
                    card_license TEXT,
                    card_tags TEXT,
                    card_datasets TEXT,
                    card_language TEXT,
                    card_base_model TEXT,
                    card_pipeline_tag TEXT,
                    card_library_name TEXT,
                    card_has_model_index INTEGER,
                    card_bytes INTEGER,
                    card_has_body INTEGER,
                    card_fields TEXT,
                    config_architectures TEXT,
                    config_model_type TEXT,
                    config_torch_dtype TEXT,
                    config_transformers_version TEXT,
                    config_fields TEXT,
                    problems TEXT,
                    card_state TEXT,
                    card_problem TEXT,
                    config_state TEXT,
                    config_problem TEXT
                );
                CREATE TABLE observation_point (
                    visit_id INTEGER PRIMARY KEY REFERENCES visit(id),
                    package_id INTEGER NOT NULL REFERENCES package(id),
                    observed_at TEXT NOT NULL,
                    downloads INTEGER,
                    likes INTEGER,
                    hub_metrics TEXT,
                    commits_new INTEGER NOT NULL,
                    facts_id INTEGER NOT NULL REFERENCES observation_facts(id)
                );
                INSERT INTO observation_facts (id, commits_total, files, bytes, lfs_files, lfs_bytes, weight_formats, card_license, card_tags, card_datasets, card_language, card_base_model, card_pipeline_tag, card_library_name, card_has_model_index, card_bytes, card_has_body, card_fields, config_architectures, config_model_type, config_torch_dtype, config_transformers_version, config_fields, problems, card_state, card_problem, config_state, config_problem)
                    SELECT visit_id, commits_total, files, bytes, lfs_files, lfs_bytes, weight_formats, card_license, card_tags, card_datasets, card_language, card_base_model, card_pipeline_tag, card_library_name, card_has_model_index, card_bytes, card_has_body, card_fields, config_architectures, config_model_type, config_torch_dtype, config_transformers_version, config_fields, problems, card_state, card_problem, config_state, config_problem FROM observation;
                INSERT INTO observation_point (visit_id, package_id, observed_at, downloads, likes, hub_metrics, commits_new, facts_id)
                    SELECT visit_id, package_id, observed_at, downloads, likes, hub_metrics, commits_new, visit_id FROM observation;
                DROP TABLE observation;
                CREATE INDEX observation_package ON observation_point(package_id, visit_id);
                CREATE VIEW observation AS
                    SELECT o.visit_id, o.package_id, o.observed_at, o.downloads, o.likes, o.hub_metrics, f.commits_total, o.commits_new, f.files, f.bytes, f.lfs_files, f.lfs_bytes, f.weight_formats, f.card_license, f.card_tags, f.card_datasets, f.card_language, f.card_base_model, f.card_pipeline_tag, f.card_library_name, f.card_has_model_index, f.card_bytes, f.card_has_body, f.card_fields, f.config_architectures, f.config_model_type, f.config_torch_dtype, f.config_transformers_version, f.config_fields, f.problems, f.card_state, f.card_problem, f.config_state, f.config_problem
                    FROM observation_point o JOIN observation_facts f ON f.id = o.facts_id;
                """)
        }
    }
}
