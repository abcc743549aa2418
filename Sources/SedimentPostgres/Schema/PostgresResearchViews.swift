import SedimentStore

/// The views of `docs/research.md` on PostgreSQL (migration v5), the twins of SQLite's
/// `CatalogSchema.researchViews`: the same names, columns and rows.
enum PostgresResearchViews {
    /// An instant stored as seconds since 1970, as ISO 8601 UTC text.
    private static func iso(_ seconds: String) -> String {
        "to_char(to_timestamp(\(seconds)) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    }

    /// Whether a commit change's path is one of the scope's exclusions.
    private static let excluded = """
        EXISTS (SELECT 1 FROM jsonb_array_elements_text(
                    CASE WHEN jsonb_typeof(p.scope::jsonb -> 'excluded') = 'array'
                         THEN p.scope::jsonb -> 'excluded' ELSE '[]'::jsonb END) AS x(value)
                WHERE (CASE WHEN p.subpath = '' THEN x.value ELSE p.subpath || '/' || x.value END) = COALESCE(ch.new_path, ch.old_path))
        """

    static let sql = """
        CREATE OR REPLACE VIEW package_timeseries AS
            SELECT p.hub, p.package_id AS package, o.observed_at, o.downloads, o.likes, o.commits_total, o.commits_new,
                   o.files, o.bytes, o.lfs_files, o.lfs_bytes,
                   o.card_license,
                   o.card_pipeline_tag, o.config_model_type, o.visit_id, o.card_state, o.config_state,
                   CASE WHEN jsonb_typeof(o.hub_metrics::jsonb -> 'downloadsAllTime') = 'number'
                        THEN trunc((o.hub_metrics::jsonb ->> 'downloadsAllTime')::numeric)::bigint END AS downloads_all_time
            FROM observation o JOIN package p ON p.id = o.package_id;
        CREATE VIEW package_commits AS
            SELECT hub, package, commit_id, commit_time, substr(commit_time, 1, 7) AS month,
                   ((committer_time - LAG(committer_time) OVER (PARTITION BY package_row ORDER BY committer_time, commit_id)) / 86400.0)::double precision
                       AS days_since_previous
            FROM (
                SELECT p.id AS package_row, p.hub, p.package_id AS package, c.id AS commit_id, c.committer_time,
                       \(iso("c.committer_time")) COLLATE "C" AS commit_time
                FROM package p
                JOIN repository_commit rc ON rc.repository_id = p.repository_id
                JOIN git_commit c ON c.id = rc.commit_id
                WHERE p.subpath = '' OR EXISTS (
                    SELECT 1 FROM commit_change ch WHERE ch.commit_id = c.id
                        AND substr(COALESCE(ch.new_path, ch.old_path), 1, length(p.subpath) + 1) = p.subpath || '/'
                        AND NOT \(excluded))) AS commits;
        \(ResearchSQL.activityViews)
        CREATE VIEW format_changes AS
            WITH paths AS (
                SELECT p.id AS package_row, p.hub, p.package_id AS package, c.id AS commit_id, c.committer_time,
                       ch.status, ch.old_path, ch.new_path
                FROM commit_change ch
                JOIN repository_commit rc ON rc.commit_id = ch.commit_id
                JOIN package p ON p.repository_id = rc.repository_id
                    AND (p.subpath = '' OR substr(COALESCE(ch.new_path, ch.old_path), 1, length(p.subpath) + 1) = p.subpath || '/')
                    AND NOT \(excluded)
                JOIN git_commit c ON c.id = ch.commit_id),
            \(ResearchSQL.formatSteps)
            SELECT hub, package, format::text COLLATE "C" AS format,
                   (CASE WHEN files_after > 0 THEN 'added' ELSE 'removed' END)::text COLLATE "C" AS change, commit_id,
                   \(iso("committer_time")) COLLATE "C" AS commit_time, files_after::bigint AS files
            FROM compared WHERE (files_before > 0) <> (files_after > 0);
        CREATE VIEW lineage AS
            SELECT e.hub, e.package, e.base, e.relation, e.source,
                   COALESCE((SELECT b.hub FROM package b WHERE b.package_id = e.base AND b.hub = e.hub),
                            (SELECT MIN(b.hub) FROM package b WHERE b.package_id = e.base)) AS base_hub
            FROM (
                SELECT p.hub, p.package_id AS package, (b.value #>> '{}') COLLATE "C" AS base,
                       (f.card_fields::jsonb ->> 'base_model_relation') COLLATE "C" AS relation, 'card'::text COLLATE "C" AS source
                FROM package p
                JOIN observation_point o ON o.visit_id = (SELECT MAX(visit_id) FROM observation_point WHERE package_id = p.id)
                JOIN observation_facts f ON f.id = o.facts_id
                CROSS JOIN LATERAL jsonb_array_elements(
                    CASE jsonb_typeof(f.card_fields::jsonb -> 'base_model')
                        WHEN 'array' THEN f.card_fields::jsonb -> 'base_model'
                        WHEN 'string' THEN jsonb_build_array(f.card_fields::jsonb -> 'base_model')
                        ELSE '[]'::jsonb END) AS b(value)
                WHERE jsonb_typeof(b.value) = 'string'
                UNION ALL
                SELECT p.hub, p.package_id, (b.value ->> 'id') COLLATE "C", (m.metadata::jsonb -> 'baseModels' ->> 'relation') COLLATE "C", 'hub'
                FROM package p
                JOIN visit_metadata m ON m.visit_id = (SELECT MAX(visit_id) FROM visit_metadata WHERE package_id = p.id)
                CROSS JOIN LATERAL jsonb_array_elements(
                    CASE WHEN jsonb_typeof(m.metadata::jsonb -> 'baseModels' -> 'models') = 'array'
                         THEN m.metadata::jsonb -> 'baseModels' -> 'models' ELSE '[]'::jsonb END) AS b(value)
                WHERE b.value ->> 'id' IS NOT NULL) AS e;
        CREATE VIEW card_evolution AS
            SELECT p.hub, p.package_id AS package, o.observed_at, f.card_state, f.card_bytes, f.card_has_body,
                   (SELECT COUNT(*) FROM jsonb_object_keys(
                        CASE WHEN jsonb_typeof(f.card_fields::jsonb) = 'object' THEN f.card_fields::jsonb ELSE '{}'::jsonb END)) AS fields,
                   f.card_license, f.card_base_model, f.card_has_model_index, o.visit_id
            FROM observation_point o JOIN observation_facts f ON f.id = o.facts_id JOIN package p ON p.id = o.package_id;
        CREATE VIEW card_field_values AS
            SELECT p.hub, p.package_id AS package, o.observed_at, v.key COLLATE "C" AS field, e.position - 1 AS position,
                   (CASE jsonb_typeof(COALESCE(e.value, v.value)) WHEN 'string' THEN COALESCE(e.value, v.value) #>> '{}'
                        ELSE COALESCE(e.value, v.value)::text END) COLLATE "C" AS value,
                   o.visit_id
            FROM observation_point o JOIN observation_facts f ON f.id = o.facts_id JOIN package p ON p.id = o.package_id
            CROSS JOIN LATERAL jsonb_each(
                CASE WHEN jsonb_typeof(f.card_fields::jsonb) = 'object' THEN f.card_fields::jsonb ELSE '{}'::jsonb END) AS v(key, value)
            LEFT JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(v.value) = 'array' THEN v.value END)
                WITH ORDINALITY AS e(value, position) ON true;
        """
}
