import Foundation

extension Catalog {
    /// Records that hub `name` of `kind` exists.
    public func registerHub(name: String, kind: String) throws {
        try write { db in
            try db.execute(sql: "INSERT INTO hub(name, kind) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET kind = excluded.kind",
                           arguments: [name, kind])
        }
    }

    /// Creates or refreshes a package and its repository; returns the package row.
    public func upsertPackage(hub: String, id: String, repositoryURL: String?, mirrorPath: String?, scope: PackageScope, seenAt date: Date,
                              gated: Bool = false, reportedHead: String? = nil) throws -> PackageRecord {
        let seenAt = Self.timestamp(date)
        let listed = ListedPackage(id: id, repositoryURL: repositoryURL, mirrorPath: mirrorPath, scope: scope, gated: gated, reportedHead: reportedHead)
        return try write { db in try Self.upsert(listed, hub: hub, seenAt: seenAt, db) }
    }

    /// ``upsertPackage(hub:id:repositoryURL:mirrorPath:scope:seenAt:gated:reportedHead:)`` for
    /// many packages of one hub, in one transaction per 1,000 (a listing of 100,000 packages
    /// is not 100,000 commits); returns the package rows in the order given.
    public func upsertPackages(_ packages: [ListedPackage], hub: String, seenAt date: Date) throws -> [PackageRecord] {
        let seenAt = Self.timestamp(date)
        var records: [PackageRecord] = []
        records.reserveCapacity(packages.count)
        var start = 0
        while start < packages.count {
            let chunk = packages[start..<min(packages.count, start + 1000)]
            records += try write { db in try chunk.map { try Self.upsert($0, hub: hub, seenAt: seenAt, db) } }
            start += 1000
        }
        return records
    }

    private static func upsert(_ listed: ListedPackage, hub: String, seenAt: String, _ db: any SQLConnection) throws -> PackageRecord {
        var repositoryRowID: Int64?
        if let url = listed.repositoryURL, let mirrorPath = listed.mirrorPath {
            try db.statement(sql: """
                INSERT INTO repository(url, mirror_path) VALUES (?, ?)
                ON CONFLICT(url) DO UPDATE SET mirror_path = excluded.mirror_path
                """).execute(arguments: [url, mirrorPath])
            repositoryRowID = try db.value(Int64.self, sql: "SELECT id FROM repository WHERE url = ?", arguments: [url])
        }
        try db.statement(sql: """
            INSERT INTO package(hub, package_id, repository_id, subpath, scope, first_seen, last_seen, deleted, gated, reported_head)
            VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
            ON CONFLICT(hub, package_id) DO UPDATE SET
                repository_id = excluded.repository_id, subpath = excluded.subpath, scope = excluded.scope,
                last_seen = excluded.last_seen, deleted = 0, unlisted = 0, gated = excluded.gated, reported_head = excluded.reported_head
            """).execute(arguments: [hub, listed.id, repositoryRowID, listed.scope.subpath, listed.scope.serialized, seenAt, seenAt,
                                     listed.gated, listed.reportedHead])
        let row = try db.row(sql: packageSelect + " WHERE p.hub = ? AND p.package_id = ?", arguments: [hub, listed.id])!
        return package(row)
    }

    /// Marks a package deleted upstream (its archive stays), restricted (gated), or no longer
    /// listed by its hub's configuration or query (unlisted: its archive stays, it is not visited).
    /// Listing the package again (``upsertPackage``) clears `deleted` and `unlisted`.
    public func markPackage(_ rowID: Int64, deleted: Bool? = nil, gated: Bool? = nil, unlisted: Bool? = nil) throws {
        try write { db in
            if let deleted { try db.execute(sql: "UPDATE package SET deleted = ? WHERE id = ?", arguments: [deleted, rowID]) }
            if let gated { try db.execute(sql: "UPDATE package SET gated = ? WHERE id = ?", arguments: [gated, rowID]) }
            if let unlisted { try db.execute(sql: "UPDATE package SET unlisted = ? WHERE id = ?", arguments: [unlisted, rowID]) }
        }
    }

    /// Records the hub entries crawl `id` skipped (`item`: what the hub listed; `problem`: why).
    public func recordCrawlProblems(_ id: Int64, _ problems: [(item: String, problem: String)]) throws {
        guard !problems.isEmpty else { return }
        try write { db in
            let first = try db.value(Int.self, sql: "SELECT COALESCE(MAX(seq) + 1, 0) FROM crawl_problem WHERE crawl_id = ?", arguments: [id]) ?? 0
            for (offset, p) in problems.enumerated() {
                try db.execute(sql: "INSERT INTO crawl_problem(crawl_id, seq, item, problem) VALUES (?, ?, ?, ?)",
                               arguments: [id, first + offset, p.item, p.problem])
            }
        }
    }

    /// Writes everything one visit produced in one transaction; returns the visit's id.
    /// The blobs and manifests it references must already be durable in the blob store.
    @discardableResult
    public func record(_ visit: VisitRecord) throws -> Int64 {
        // The catalog's text form of the visit's instants (docs/schema.md).
        let startedAt = Self.timestamp(visit.startedAt), finishedAt = Self.timestamp(visit.finishedAt)
        return try write { db in
            if let repository = visit.repositoryRowID {
                func value(_ v: (any SQLValueConvertible)?) -> SQLValue { v?.sqlValue ?? .null }
                try db.insertRows(into: "git_commit", columns: ["id", "tree", "author_name", "author_email", "author_time", "author_offset",
                                                                "committer_name", "committer_email", "committer_time", "committer_offset", "message"],
                                  visit.commits.map { c in
                                      [value(c.id), value(c.tree), value(c.authorName), value(c.authorEmail), value(c.authorTime), value(c.authorOffset),
                                       value(c.committerName), value(c.committerEmail), value(c.committerTime), value(c.committerOffset), value(c.message)]
                                  }, suffix: "ON CONFLICT DO NOTHING")
                try db.insertRows(into: "commit_parent", columns: ["commit_id", "position", "parent_id"],
                                  visit.commits.flatMap { c in c.parents.enumerated().map { [value(c.id), value($0.offset), value($0.element)] } },
                                  suffix: "ON CONFLICT DO NOTHING")
                try db.insertRows(into: "repository_commit", columns: ["repository_id", "commit_id"],
                                  visit.commits.map { [value(repository), value($0.id)] }, suffix: "ON CONFLICT DO NOTHING")
                try db.insertRows(into: "commit_change", columns: ["commit_id", "seq", "status", "old_path", "new_path", "old_blob", "new_blob",
                                                                   "old_mode", "new_mode"],
                                  visit.commits.flatMap { c in
                                      c.changes.enumerated().map { seq, change in
                                          [value(c.id), value(seq), value(change.status), value(change.oldPath), value(change.newPath),
                                           value(change.oldBlob), value(change.newBlob), value(change.oldMode), value(change.newMode)]
                                      }
                                  }, suffix: "ON CONFLICT DO NOTHING")
                if let tips = visit.refTips {
                    try db.execute(sql: "DELETE FROM ref_tip WHERE repository_id = ?", arguments: [repository])
                    let tipInsert = db.statement(sql: "INSERT INTO ref_tip(repository_id, name, target, updated_at) VALUES (?, ?, ?, ?)")
                    for (name, target) in tips {
                        try tipInsert.execute(arguments: [repository, name, target, finishedAt])
                    }
                }
                let lostInsert = db.statement(sql: """
                    INSERT INTO lost_ref(repository_id, name, archived_as, target, replaced_by, reason, lost_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                    """)
                for lost in visit.lostRefs {
                    try lostInsert.execute(arguments: [repository, lost.name, lost.archivedAs, lost.target, lost.replacedBy, lost.reason, lost.lostAt])
                }
                if visit.status != .failed {
                    try db.execute(sql: "UPDATE repository SET last_fetched_at = ?, default_branch = COALESCE(?, default_branch) WHERE id = ?",
                                   arguments: [finishedAt, visit.defaultBranch, repository])
                }
            }
            try Self.insert(visit.packs, superseding: false, db: db)
            // One row per git blob (a row met twice in one statement is an error on PostgreSQL):
            // stored wins.
            var blobs: [String: BlobInfo] = [:]
            for b in visit.blobs {
                if let known = blobs[b.gitBlob], known.stored { continue }
                blobs[b.gitBlob] = b
            }
            try db.insertRows(into: "blob", columns: ["git_blob", "sha256", "size", "stored", "lfs_oid", "lfs_size"],
                              visit.blobs.compactMap { b in
                                  // Each git blob once, in the order first met.
                                  guard let chosen = blobs.removeValue(forKey: b.gitBlob) else { return nil }
                                  return [chosen.gitBlob.sqlValue, chosen.sha256.hex.sqlValue, chosen.size.sqlValue, chosen.stored.sqlValue,
                                          chosen.lfsOID?.hex.sqlValue ?? .null, chosen.lfsSize?.sqlValue ?? .null]
                              },
                              suffix: "ON CONFLICT(git_blob) DO UPDATE SET stored = \(db.dialect.greatest("blob.stored", "excluded.stored"))")
            let manifestInsert = db.statement(sql: """
                INSERT INTO manifest(id, commit_id, subpath, files, bytes, lfs_files, lfs_bytes, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """)
            for m in visit.manifests {
                try manifestInsert.execute(arguments: [m.id.hex, m.commit, m.subpath, m.files, m.bytes, m.lfsFiles, m.lfsBytes, finishedAt])
            }
            var snapshotSeq: Int64?
            if let s = visit.snapshot {
                snapshotSeq = try db.value(Int64.self, sql: """
                    INSERT INTO snapshot(id, package_id, taken_at, head, head_ref, manifest_id, refs) VALUES (?, ?, ?, ?, ?, ?, ?)
                    RETURNING seq
                    """, arguments: [s.id.hex, visit.packageRowID, s.takenAt, s.head, s.headRef, s.manifest?.hex, Self.refsJSON(s.refs)])
            }
            let visitID = try db.insert(sql: """
                INSERT INTO visit(crawl_id, package_id, started_at, finished_at, status, eventful, error,
                    objects_received, bytes_received, new_commits, snapshot_seq, skipped_git)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [visit.crawlID, visit.packageRowID, startedAt, finishedAt, visit.status.rawValue,
                                 visit.eventful, visit.error, visit.objectsReceived, visit.bytesReceived, visit.commits.count, snapshotSeq,
                                 visit.skippedGit])
            // The hub's metadata is kept when it changed, counters aside (each visit's
            // observation has them, and the store's visit record the whole document).
            if let metadata = visit.metadata {
                let previous = try db.value(String.self, sql: "SELECT metadata FROM visit_metadata WHERE package_id = ? ORDER BY visit_id DESC LIMIT 1",
                                            arguments: [visit.packageRowID])
                if previous != metadata && previous.map(Self.withoutMetrics) != Self.withoutMetrics(metadata) {
                    try db.execute(sql: "INSERT INTO visit_metadata(visit_id, package_id, metadata) VALUES (?, ?, ?)",
                                   arguments: [visitID, visit.packageRowID, metadata])
                }
            }
            if let o = visit.observation {
                // The facts an observation derives from the head are kept once per change: a
                // visit whose facts equal its package's last ones points at them.
                let facts = SQLArguments(values: Self.facts(o))
                let last = try db.row(sql: """
                    SELECT f.id, \(Self.factColumns.map { "f." + $0 }.joined(separator: ", "))
                    FROM observation_point o JOIN observation_facts f ON f.id = o.facts_id
                    WHERE o.package_id = ? ORDER BY o.visit_id DESC LIMIT 1
                    """, arguments: [visit.packageRowID])
                var factsID: Int64? = nil
                if let last, Array(last.values.dropFirst()) == facts.values, case .integer(let id) = last.values[0] { factsID = id }
                if factsID == nil {
                    factsID = try db.insert(sql: """
                        INSERT INTO observation_facts (\(Self.factColumns.joined(separator: ", ")))
                        VALUES (\(Self.factColumns.map { _ in "?" }.joined(separator: ", ")))
                        """, arguments: facts)
                }
                try db.execute(sql: """
                    INSERT INTO observation_point (visit_id, package_id, observed_at, downloads, likes, hub_metrics, commits_new, facts_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [visitID, visit.packageRowID, finishedAt, o.downloads, o.likes, o.hubMetrics, o.commitsNew, factsID])
            }
            return visitID
        }
    }

    /// The columns of `observation_facts` besides its id, in order.
    static let factColumns = ["commits_total", "files", "bytes", "lfs_files", "lfs_bytes", "weight_formats", "card_license", "card_tags",
                              "card_datasets", "card_language", "card_base_model", "card_pipeline_tag", "card_library_name",
                              "card_has_model_index", "card_bytes", "card_has_body", "card_fields", "config_architectures",
                              "config_model_type", "config_torch_dtype", "config_transformers_version", "config_fields", "problems",
                              "card_state", "card_problem", "config_state", "config_problem"]

    /// An observation's values for ``factColumns``, as the catalog stores them.
    static func facts(_ o: ObservationRecord) -> [SQLValue] {
        let values: SQLArguments = [o.commitsTotal, o.files, o.bytes, o.lfsFiles, o.lfsBytes, o.weightFormats, o.cardLicense, o.cardTags,
                                    o.cardDatasets, o.cardLanguage, o.cardBaseModel, o.cardPipelineTag, o.cardLibraryName,
                                    o.cardHasModelIndex, o.cardBytes, o.cardHasBody, o.cardFields, o.configArchitectures,
                                    o.configModelType, o.configTorchDtype, o.configTransformersVersion, o.configFields, o.problems,
                                    o.cardState?.rawValue, o.cardProblem, o.configState?.rawValue, o.configProblem]
        return values.values
    }

    /// A metadata document without its numeric metrics (``ObservationRecord/metricKeys``), in
    /// one canonical form; a document that is not a JSON object, as it is.
    static func withoutMetrics(_ metadata: String) -> String {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(metadata.utf8))) as? [String: Any] else { return metadata }
        let kept = object.filter { key, value in !(ObservationRecord.metricKeys.contains(key) && value is NSNumber) }
        guard let data = try? JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys]) else { return metadata }
        return String(decoding: data, as: UTF8.self)
    }

    static func refsJSON(_ refs: [String: String]) -> String {
        JSONValue.object(refs.keys.sorted().map { ($0, .string(refs[$0]!)) }).serialized()
    }
}

/// A package as a listing gives it, to record with ``Catalog/upsertPackages(_:hub:seenAt:)``.
public struct ListedPackage: Sendable {
    public var id: String
    /// The repository URL (redacted) and its mirror; both nil for a metadata-only package.
    public var repositoryURL: String?
    public var mirrorPath: String?
    public var scope: PackageScope
    public var gated: Bool
    public var reportedHead: String?

    public init(id: String, repositoryURL: String?, mirrorPath: String?, scope: PackageScope, gated: Bool = false, reportedHead: String? = nil) {
        self.id = id
        self.repositoryURL = repositoryURL
        self.mirrorPath = mirrorPath
        self.scope = scope
        self.gated = gated
        self.reportedHead = reportedHead
    }
}
