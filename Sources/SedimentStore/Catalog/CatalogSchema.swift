import GRDB

/// The SQLite catalog's migrations. Never edit a shipped migration; add a new one.
enum CatalogSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: archive spine") { db in
            try db.execute(sql: """
                CREATE TABLE hub (
                    name TEXT PRIMARY KEY,
                    kind TEXT NOT NULL
                );
                CREATE TABLE repository (
                    id INTEGER PRIMARY KEY,
                    url TEXT NOT NULL UNIQUE,
                    mirror_path TEXT NOT NULL,
                    default_branch TEXT,
                    last_fetched_at TEXT
                );
                CREATE TABLE package (
                    id INTEGER PRIMARY KEY,
                    hub TEXT NOT NULL REFERENCES hub(name),
                    package_id TEXT NOT NULL,
                    repository_id INTEGER REFERENCES repository(id),
                    subpath TEXT NOT NULL DEFAULT '',
                    first_seen TEXT NOT NULL,
                    last_seen TEXT NOT NULL,
                    deleted INTEGER NOT NULL DEFAULT 0,
                    UNIQUE (hub, package_id)
                );
                CREATE TABLE git_commit (
                    id TEXT PRIMARY KEY,
                    tree TEXT NOT NULL,
                    author_name TEXT NOT NULL,
                    author_email TEXT NOT NULL,
                    author_time INTEGER NOT NULL,
                    author_offset INTEGER NOT NULL,
                    committer_name TEXT NOT NULL,
                    committer_email TEXT NOT NULL,
                    committer_time INTEGER NOT NULL,
                    committer_offset INTEGER NOT NULL,
                    message TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE commit_parent (
                    commit_id TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    parent_id TEXT NOT NULL,
                    PRIMARY KEY (commit_id, position)
                ) WITHOUT ROWID;
                CREATE TABLE repository_commit (
                    repository_id INTEGER NOT NULL REFERENCES repository(id),
                    commit_id TEXT NOT NULL,
                    PRIMARY KEY (repository_id, commit_id)
                ) WITHOUT ROWID;
                CREATE TABLE commit_change (
                    commit_id TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    old_path TEXT,
                    new_path TEXT,
                    old_blob TEXT,
                    new_blob TEXT,
                    old_mode INTEGER,
                    new_mode INTEGER,
                    PRIMARY KEY (commit_id, seq)
                ) WITHOUT ROWID;
                CREATE TABLE blob (
                    git_blob TEXT PRIMARY KEY,
                    sha256 TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    stored INTEGER NOT NULL,
                    lfs_oid TEXT,
                    lfs_size INTEGER
                ) WITHOUT ROWID;
                CREATE INDEX blob_sha256 ON blob(sha256);
                CREATE INDEX blob_lfs_oid ON blob(lfs_oid) WHERE lfs_oid IS NOT NULL;
                CREATE TABLE manifest (
                    id TEXT NOT NULL,
                    commit_id TEXT NOT NULL,
                    subpath TEXT NOT NULL,
                    files INTEGER NOT NULL,
                    bytes INTEGER NOT NULL,
                    lfs_files INTEGER NOT NULL,
                    lfs_bytes INTEGER NOT NULL,
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (commit_id, subpath)
                ) WITHOUT ROWID;
                CREATE INDEX manifest_id ON manifest(id);
                CREATE TABLE ref_tip (
                    repository_id INTEGER NOT NULL REFERENCES repository(id),
                    name TEXT NOT NULL,
                    target TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    PRIMARY KEY (repository_id, name)
                ) WITHOUT ROWID;
                CREATE TABLE lost_ref (
                    id INTEGER PRIMARY KEY,
                    repository_id INTEGER NOT NULL REFERENCES repository(id),
                    name TEXT NOT NULL,
                    archived_as TEXT NOT NULL,
                    target TEXT NOT NULL,
                    replaced_by TEXT,
                    reason TEXT NOT NULL,
                    lost_at TEXT NOT NULL,
                    UNIQUE (repository_id, archived_as)
                );
                CREATE TABLE crawl (
                    id INTEGER PRIMARY KEY,
                    hub TEXT NOT NULL REFERENCES hub(name),
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    packages INTEGER NOT NULL DEFAULT 0,
                    failed INTEGER NOT NULL DEFAULT 0,
                    eventful INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE visit (
                    id INTEGER PRIMARY KEY,
                    crawl_id INTEGER REFERENCES crawl(id),
                    package_id INTEGER NOT NULL REFERENCES package(id),
                    started_at TEXT NOT NULL,
                    finished_at TEXT NOT NULL,
                    status TEXT NOT NULL,
                    eventful INTEGER NOT NULL,
                    error TEXT,
                    objects_received INTEGER NOT NULL DEFAULT 0,
                    bytes_received INTEGER NOT NULL DEFAULT 0,
                    new_commits INTEGER NOT NULL DEFAULT 0,
                    snapshot_seq INTEGER
                );
                CREATE INDEX visit_package ON visit(package_id, id);
                CREATE TABLE snapshot (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL,
                    package_id INTEGER NOT NULL REFERENCES package(id),
                    taken_at TEXT NOT NULL,
                    head TEXT,
                    head_ref TEXT,
                    manifest_id TEXT,
                    refs TEXT NOT NULL
                );
                CREATE INDEX snapshot_id ON snapshot(id);
                CREATE INDEX snapshot_package ON snapshot(package_id, taken_at);
                """)
        }
        migrator.registerMigration("v2: hub metadata") { db in
            try db.execute(sql: """
                ALTER TABLE package ADD COLUMN gated INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE package ADD COLUMN reported_head TEXT;
                ALTER TABLE visit ADD COLUMN skipped_git INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE crawl ADD COLUMN error TEXT;
                CREATE TABLE visit_metadata (
                    visit_id INTEGER PRIMARY KEY REFERENCES visit(id),
                    package_id INTEGER NOT NULL REFERENCES package(id),
                    metadata TEXT NOT NULL
                );
                CREATE INDEX visit_metadata_package ON visit_metadata(package_id, visit_id);
                """)
        }
        migrator.registerMigration("v3: http cache") { db in
            try db.execute(sql: """
                CREATE TABLE http_cache (
                    url TEXT PRIMARY KEY,
                    etag TEXT,
                    last_modified TEXT,
                    body BLOB NOT NULL,
                    stored_at TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v4: observations") { db in
            try db.execute(sql: """
                CREATE TABLE observation (
                    visit_id INTEGER PRIMARY KEY REFERENCES visit(id),
                    package_id INTEGER NOT NULL REFERENCES package(id),
                    observed_at TEXT NOT NULL,
                    downloads INTEGER,
                    likes INTEGER,
                    hub_metrics TEXT,
                    commits_total INTEGER NOT NULL,
                    commits_new INTEGER NOT NULL,
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
                    problems TEXT
                );
                CREATE INDEX observation_package ON observation(package_id, visit_id);
                """)
        }
        migrator.registerMigration("v5: time-series views") { db in
            try db.execute(sql: """
                CREATE VIEW package_timeseries AS
                    SELECT p.hub, p.package_id AS package, o.observed_at, o.downloads, o.likes, o.commits_total, o.commits_new,
                           o.files, o.bytes, o.lfs_files, o.lfs_bytes, o.card_license, o.card_pipeline_tag, o.config_model_type,
                           o.visit_id
                    FROM observation o JOIN package p ON p.id = o.package_id;
                CREATE VIEW license_changes AS
                    SELECT hub, package, observed_at, previous_license, card_license AS license FROM (
                        SELECT p.hub, p.package_id AS package, o.observed_at, o.card_license,
                               LAG(o.card_license) OVER (PARTITION BY o.package_id ORDER BY o.visit_id) AS previous_license,
                               ROW_NUMBER() OVER (PARTITION BY o.package_id ORDER BY o.visit_id) AS n
                        FROM observation o JOIN package p ON p.id = o.package_id)
                    WHERE n > 1 AND previous_license IS NOT card_license;
                CREATE VIEW weight_changes AS
                    SELECT p.hub, p.package_id AS package, c.committer_time AS commit_time, ch.commit_id,
                           COALESCE(ch.new_path, ch.old_path) AS path,
                           ob.lfs_oid AS old_lfs_oid, ob.lfs_size AS old_lfs_size, nb.lfs_oid AS new_lfs_oid, nb.lfs_size AS new_lfs_size
                    FROM commit_change ch
                    JOIN repository_commit rc ON rc.commit_id = ch.commit_id
                    JOIN package p ON p.repository_id = rc.repository_id
                        AND (p.subpath = '' OR substr(COALESCE(ch.new_path, ch.old_path), 1, length(p.subpath) + 1) = p.subpath || '/')
                    JOIN git_commit c ON c.id = ch.commit_id
                    LEFT JOIN blob ob ON ob.git_blob = ch.old_blob
                    LEFT JOIN blob nb ON nb.git_blob = ch.new_blob
                    WHERE (ob.lfs_oid IS NOT NULL OR nb.lfs_oid IS NOT NULL) AND ob.lfs_oid IS NOT nb.lfs_oid;
                """)
        }
        migrator.registerMigration("v6: schedule") { db in
            try db.execute(sql: """
                CREATE TABLE package_schedule (
                    package_id INTEGER PRIMARY KEY REFERENCES package(id),
                    next_visit TEXT NOT NULL,
                    revisit_seconds REAL NOT NULL,
                    consecutive_failures INTEGER NOT NULL DEFAULT 0,
                    parked_at TEXT,
                    listing TEXT,
                    last_visit TEXT,
                    last_status TEXT
                );
                CREATE INDEX package_schedule_next ON package_schedule(next_visit);
                """)
        }
        migrator.registerMigration("v7: lfs objects") { db in
            try db.execute(sql: """
                CREATE TABLE lfs_object (
                    oid TEXT PRIMARY KEY,
                    size INTEGER NOT NULL,
                    stored_at TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE lfs_pending (
                    package_id INTEGER NOT NULL REFERENCES package(id),
                    oid TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    path TEXT NOT NULL,
                    queued_at TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_attempt_at TEXT,
                    reason TEXT,
                    PRIMARY KEY (package_id, oid)
                ) WITHOUT ROWID;
                CREATE INDEX lfs_pending_oid ON lfs_pending(oid);
                """)
        }
        migrator.registerMigration("v8: crawl states and unlisted packages") { db in
            // A crawl ends in a state; one that never ended was stopped with its process.
            try db.execute(sql: """
                ALTER TABLE crawl ADD COLUMN state TEXT NOT NULL DEFAULT 'running';
                ALTER TABLE crawl ADD COLUMN pid INTEGER;
                ALTER TABLE crawl ADD COLUMN listing INTEGER NOT NULL DEFAULT 1;
                UPDATE crawl SET state = CASE
                    WHEN finished_at IS NULL THEN 'interrupted'
                    WHEN error IS NOT NULL THEN 'failed'
                    ELSE 'finished' END;
                CREATE INDEX crawl_hub ON crawl(hub, id);
                ALTER TABLE package ADD COLUMN unlisted INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE visit_running (
                    package_id INTEGER PRIMARY KEY REFERENCES package(id),
                    crawl_id INTEGER REFERENCES crawl(id),
                    started_at TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v9: parse states and skipped hub entries") { db in
            // Rows observed before: a card is absent without card_bytes, unparseable when the
            // problems object names it, read otherwise; the same for config.json, whose absence
            // earlier rows cannot tell from an empty config (config_fields NULL, no problem).
            try db.execute(sql: """
                ALTER TABLE observation ADD COLUMN card_state TEXT;
                ALTER TABLE observation ADD COLUMN card_problem TEXT;
                ALTER TABLE observation ADD COLUMN config_state TEXT;
                ALTER TABLE observation ADD COLUMN config_problem TEXT;
                UPDATE observation SET
                    card_state = CASE WHEN json_extract(problems, '$.card') IS NOT NULL THEN 'unparseable'
                                      WHEN card_bytes IS NULL THEN 'absent' ELSE 'ok' END,
                    card_problem = json_extract(problems, '$.card'),
                    config_state = CASE WHEN json_extract(problems, '$.config') IS NOT NULL THEN 'unparseable'
                                        WHEN config_fields IS NULL THEN 'absent' ELSE 'ok' END,
                    config_problem = json_extract(problems, '$.config');
                ALTER TABLE package ADD COLUMN scope TEXT;
                CREATE TABLE crawl_problem (
                    crawl_id INTEGER NOT NULL REFERENCES crawl(id),
                    seq INTEGER NOT NULL,
                    item TEXT NOT NULL,
                    problem TEXT NOT NULL,
                    PRIMARY KEY (crawl_id, seq)
                ) WITHOUT ROWID;
                DROP VIEW IF EXISTS package_timeseries;
                CREATE VIEW package_timeseries AS
                    SELECT p.hub, p.package_id AS package, o.observed_at, o.downloads, o.likes, o.commits_total, o.commits_new,
                           o.files, o.bytes, o.lfs_files, o.lfs_bytes,
                           o.card_license,
                           o.card_pipeline_tag, o.config_model_type, o.visit_id, o.card_state, o.config_state
                    FROM observation o JOIN package p ON p.id = o.package_id;
                DROP VIEW IF EXISTS license_changes;
                CREATE VIEW license_changes AS
                    SELECT hub, package, observed_at, previous_license, card_license AS license FROM (
                        SELECT p.hub, p.package_id AS package, o.observed_at, o.card_license,
                               LAG(o.card_license) OVER (PARTITION BY o.package_id ORDER BY o.visit_id) AS previous_license,
                               ROW_NUMBER() OVER (PARTITION BY o.package_id ORDER BY o.visit_id) AS n
                        FROM observation o JOIN package p ON p.id = o.package_id
                        WHERE o.card_state IS NOT 'unparseable')
                    WHERE n > 1 AND previous_license IS NOT card_license;
                DROP VIEW IF EXISTS weight_changes;
                CREATE VIEW weight_changes AS
                    SELECT p.hub, p.package_id AS package, c.committer_time AS commit_time, ch.commit_id,
                           COALESCE(ch.new_path, ch.old_path) AS path,
                           ob.lfs_oid AS old_lfs_oid, ob.lfs_size AS old_lfs_size, nb.lfs_oid AS new_lfs_oid, nb.lfs_size AS new_lfs_size
                    FROM commit_change ch
                    JOIN repository_commit rc ON rc.commit_id = ch.commit_id
                    JOIN package p ON p.repository_id = rc.repository_id
                        AND (p.subpath = '' OR substr(COALESCE(ch.new_path, ch.old_path), 1, length(p.subpath) + 1) = p.subpath || '/')
                        AND NOT EXISTS (SELECT 1 FROM json_each(p.scope, '$.excluded') x
                                        WHERE p.subpath || '/' || x.value = COALESCE(ch.new_path, ch.old_path))
                    JOIN git_commit c ON c.id = ch.commit_id
                    LEFT JOIN blob ob ON ob.git_blob = ch.old_blob
                    LEFT JOIN blob nb ON nb.git_blob = ch.new_blob
                    WHERE (ob.lfs_oid IS NOT NULL OR nb.lfs_oid IS NOT NULL) AND ob.lfs_oid IS NOT nb.lfs_oid;
                """)
        }
        migrator.registerMigration("v10: quarantine") { db in
            // A visit in progress remembers what the hub listed for its package, so that a
            // package quarantined by its crashes is retried when that listing changes; the
            // schedule counts the crashes a package was in flight for, and says why a
            // package is parked when it is not its failed visits.
            try db.execute(sql: """
                ALTER TABLE visit_running ADD COLUMN listing TEXT;
                ALTER TABLE package_schedule ADD COLUMN crashes INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE package_schedule ADD COLUMN parked_reason TEXT;
                """)
        }
        migrator.registerMigration("v11: pack index") { db in
            // Where each packed blob lives: its pack (named by the SHA-256 of the pack file)
            // and its entry in the pack's trailer. Rebuilt from the packs alone by
            // `sediment rebuild-index`.
            try db.execute(sql: """
                CREATE TABLE pack (
                    id TEXT PRIMARY KEY,
                    bytes INTEGER NOT NULL,
                    blobs INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE pack_blob (
                    blob TEXT PRIMARY KEY,
                    pack TEXT NOT NULL REFERENCES pack(id),
                    kind INTEGER NOT NULL,
                    compression INTEGER NOT NULL,
                    offset INTEGER NOT NULL,
                    length INTEGER NOT NULL,
                    size INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX pack_blob_by_pack ON pack_blob(pack);
                """)
        }
        registerWorkerMigrations(&migrator)
        registerResearchMigrations(&migrator)
        return migrator
    }
}
