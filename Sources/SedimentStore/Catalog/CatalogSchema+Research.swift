import GRDB

extension CatalogSchema {
    /// The views that answer the questions of studies of model hubs (`docs/research.md`),
    /// appended to ``migrator``. PostgreSQL has the same views (`PostgresResearchViews`).
    static func registerResearchMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v15: research views") { db in
            try db.execute(sql: researchViews)
        }
    }

    /// `package_timeseries` gains the Hub's all-time downloads. A package's commits
    /// (`package_commits`): every archived commit of its repository, or for a package in a
    /// subpath those that changed a file there (its scope's exclusions left out).
    static let researchViews = """
        DROP VIEW IF EXISTS package_timeseries;
        CREATE VIEW package_timeseries AS
            SELECT p.hub, p.package_id AS package, o.observed_at, o.downloads, o.likes, o.commits_total, o.commits_new,
                   o.files, o.bytes, o.lfs_files, o.lfs_bytes,
                   o.card_license,
                   o.card_pipeline_tag, o.config_model_type, o.visit_id, o.card_state, o.config_state,
                   CAST(json_extract(o.hub_metrics, '$.downloadsAllTime') AS INTEGER) AS downloads_all_time
            FROM observation o JOIN package p ON p.id = o.package_id;
        CREATE VIEW package_commits AS
            SELECT hub, package, commit_id, commit_time, substr(commit_time, 1, 7) AS month,
                   (committer_time - LAG(committer_time) OVER (PARTITION BY package_row ORDER BY committer_time, commit_id)) / 86400.0
                       AS days_since_previous
            FROM (
                SELECT p.id AS package_row, p.hub, p.package_id AS package, c.id AS commit_id, c.committer_time,
                       strftime('%Y-%m-%dT%H:%M:%SZ', c.committer_time, 'unixepoch') AS commit_time
                FROM package p
                JOIN repository_commit rc ON rc.repository_id = p.repository_id
                JOIN git_commit c ON c.id = rc.commit_id
                WHERE p.subpath = '' OR EXISTS (
                    SELECT 1 FROM commit_change ch WHERE ch.commit_id = c.id
                        AND substr(COALESCE(ch.new_path, ch.old_path), 1, length(p.subpath) + 1) = p.subpath || '/'
                        AND NOT EXISTS (SELECT 1 FROM json_each(p.scope, '$.excluded') x
                                        WHERE (CASE WHEN p.subpath = '' THEN x.value ELSE p.subpath || '/' || x.value END) = COALESCE(ch.new_path, ch.old_path))));
        \(ResearchSQL.activityViews)
        CREATE VIEW format_changes AS
            WITH paths AS (
                SELECT p.id AS package_row, p.hub, p.package_id AS package, c.id AS commit_id, c.committer_time,
                       ch.status, ch.old_path, ch.new_path
                FROM commit_change ch
                JOIN repository_commit rc ON rc.commit_id = ch.commit_id
                JOIN package p ON p.repository_id = rc.repository_id
                    AND (p.subpath = '' OR substr(COALESCE(ch.new_path, ch.old_path), 1, length(p.subpath) + 1) = p.subpath || '/')
                    AND NOT EXISTS (SELECT 1 FROM json_each(p.scope, '$.excluded') x
                                    WHERE (CASE WHEN p.subpath = '' THEN x.value ELSE p.subpath || '/' || x.value END) = COALESCE(ch.new_path, ch.old_path))
                JOIN git_commit c ON c.id = ch.commit_id),
            \(ResearchSQL.formatSteps)
            SELECT hub, package, format, CASE WHEN files_after > 0 THEN 'added' ELSE 'removed' END AS change, commit_id,
                   strftime('%Y-%m-%dT%H:%M:%SZ', committer_time, 'unixepoch') AS commit_time, files_after AS files
            FROM compared WHERE (files_before > 0) <> (files_after > 0);
        CREATE VIEW lineage AS
            SELECT e.hub, e.package, e.base, e.relation, e.source,
                   COALESCE((SELECT b.hub FROM package b WHERE b.package_id = e.base AND b.hub = e.hub),
                            (SELECT MIN(b.hub) FROM package b WHERE b.package_id = e.base)) AS base_hub
            FROM (
                SELECT p.hub, p.package_id AS package, b.value AS base,
                       json_extract(f.card_fields, '$.base_model_relation') AS relation, 'card' AS source
                FROM package p
                JOIN observation_point o ON o.visit_id = (SELECT MAX(visit_id) FROM observation_point WHERE package_id = p.id)
                JOIN observation_facts f ON f.id = o.facts_id
                JOIN json_each(f.card_fields, '$.base_model') b
                WHERE b.type = 'text'
                UNION ALL
                SELECT p.hub, p.package_id, json_extract(b.value, '$.id'), json_extract(m.metadata, '$.baseModels.relation'), 'hub'
                FROM package p
                JOIN visit_metadata m ON m.visit_id = (SELECT MAX(visit_id) FROM visit_metadata WHERE package_id = p.id)
                JOIN json_each(m.metadata, '$.baseModels.models') b
                WHERE json_extract(b.value, '$.id') IS NOT NULL) AS e;
        CREATE VIEW card_evolution AS
            SELECT p.hub, p.package_id AS package, o.observed_at, f.card_state, f.card_bytes, f.card_has_body,
                   (SELECT COUNT(*) FROM json_each(f.card_fields)) AS fields, f.card_license, f.card_base_model,
                   f.card_has_model_index, o.visit_id
            FROM observation_point o JOIN observation_facts f ON f.id = o.facts_id JOIN package p ON p.id = o.package_id;
        CREATE VIEW card_field_values AS
            SELECT p.hub, p.package_id AS package, o.observed_at, v.key AS field, e.key AS position,
                   CASE COALESCE(e.type, v.type) WHEN 'text' THEN COALESCE(e.value, v.value) WHEN 'true' THEN 'true'
                        WHEN 'false' THEN 'false' WHEN 'null' THEN 'null' ELSE CAST(COALESCE(e.value, v.value) AS TEXT) END AS value,
                   o.visit_id
            FROM observation_point o JOIN observation_facts f ON f.id = o.facts_id JOIN package p ON p.id = o.package_id
            JOIN json_each(f.card_fields) v
            LEFT JOIN json_each(CASE WHEN v.type = 'array' THEN v.value END) e;
        """
}

/// The parts of the research views that SQLite and PostgreSQL write alike.
public enum ResearchSQL {
    /// `commit_activity` and `package_activity`, over `package_commits`.
    public static let activityViews = """
        CREATE VIEW commit_activity AS
            SELECT hub, package, month, COUNT(*) AS commits FROM package_commits GROUP BY hub, package, month;
        CREATE VIEW package_activity AS
            SELECT hub, package, COUNT(*) AS commits, MIN(commit_time) AS first_commit, MAX(commit_time) AS last_commit,
                   COUNT(DISTINCT month) AS active_months, AVG(days_since_previous) AS mean_days_between,
                   MAX(days_since_previous) AS longest_gap_days,
                   CASE WHEN COUNT(*) = 1 THEN 'single'
                        WHEN COUNT(DISTINCT month) >= 6 THEN 'high'
                        WHEN COUNT(DISTINCT month) >= 3 THEN 'medium'
                        ELSE 'low' END AS activity
            FROM package_commits GROUP BY hub, package;
        """

    /// The steps of `format_changes` after `paths` (a package's commit changes): the files of
    /// each format added and removed per commit, their running count, and the count before.
    public static let formatSteps = """
            files AS (
                SELECT package_row, hub, package, commit_id, committer_time, lower(new_path) AS path, 1 AS delta
                FROM paths WHERE status IN ('added', 'renamed', 'copied')
                UNION ALL
                SELECT package_row, hub, package, commit_id, committer_time, lower(old_path), -1
                FROM paths WHERE status IN ('deleted', 'renamed')),
            deltas AS (
                SELECT package_row, hub, package, commit_id, committer_time, format, SUM(delta) AS delta FROM (
                    SELECT files.*,
                           CASE WHEN path LIKE '%.safetensors' THEN 'safetensors'
                                WHEN path LIKE '%.bin' OR path LIKE '%.pt' OR path LIKE '%.pth' OR path LIKE '%.ckpt'
                                  OR path LIKE '%.pkl' OR path LIKE '%.pickle' OR path LIKE '%.joblib' THEN 'pickle' END AS format
                    FROM files) AS classified
                WHERE format IS NOT NULL
                GROUP BY package_row, hub, package, commit_id, committer_time, format),
            running AS (
                SELECT deltas.*, SUM(delta) OVER (PARTITION BY package_row, format ORDER BY committer_time, commit_id
                                                  ROWS UNBOUNDED PRECEDING) AS files_after
                FROM deltas),
            compared AS (
                SELECT running.*, COALESCE(LAG(files_after) OVER (PARTITION BY package_row, format ORDER BY committer_time, commit_id), 0)
                           AS files_before
                FROM running)
        """
}
