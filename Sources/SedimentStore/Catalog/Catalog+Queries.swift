import Foundation

extension Catalog {
    static let packageSelect = """
        SELECT p.id AS rowid, p.hub, p.package_id, p.repository_id, r.url, r.mirror_path, p.subpath, p.scope,
               p.first_seen, p.last_seen, p.deleted, p.gated, p.unlisted
        FROM package p LEFT JOIN repository r ON r.id = p.repository_id
        """

    static func package(_ row: SQLRow) -> PackageRecord {
        var record = PackageRecord(rowID: row["rowid"], hub: row["hub"], id: row["package_id"], repositoryRowID: row["repository_id"],
                                   repository: row["url"], mirrorPath: row["mirror_path"], subpath: row["subpath"],
                                   firstSeen: row["first_seen"], lastSeen: row["last_seen"], deleted: row["deleted"], gated: row["gated"])
        record.scope = PackageScope(subpath: record.subpath, serialized: row["scope"])
        record.unlisted = row["unlisted"]
        return record
    }

    /// Every known package (of `hubs`, when not empty), by hub then id.
    public func packages(hubs: [String] = []) throws -> [PackageRecord] {
        try read { db in
            var sql = Self.packageSelect
            var arguments: SQLArguments = []
            if !hubs.isEmpty {
                sql += " WHERE p.hub IN (\(hubs.map { _ in "?" }.joined(separator: ",")))"
                arguments = SQLArguments(hubs)
            }
            sql += " ORDER BY p.hub, p.package_id"
            return try db.rows(sql: sql, arguments: arguments).map(Self.package)
        }
    }

    /// The package named `HUB:ID` or, when unambiguous, `ID`.
    public func package(named name: String) throws -> PackageRecord {
        try read { db in
            if let colon = name.firstIndex(of: ":") {
                let hub = String(name[..<colon]), id = String(name[name.index(after: colon)...])
                if let row = try db.row(sql: Self.packageSelect + " WHERE p.hub = ? AND p.package_id = ?", arguments: [hub, id]) {
                    return Self.package(row)
                }
            }
            let rows = try db.rows(sql: Self.packageSelect + " WHERE p.package_id = ? ORDER BY p.hub", arguments: [name])
            if rows.count == 1 { return Self.package(rows[0]) }
            if rows.count > 1 { throw CatalogError.ambiguousPackage(name, candidates: rows.map { Self.package($0).qualifiedName }) }
            throw CatalogError.unknownPackage(name)
        }
    }

    /// The map entries for `gitBlobs` that are known.
    public func blobs(_ gitBlobs: [String]) throws -> [String: BlobInfo] {
        try read { db in
            var result: [String: BlobInfo] = [:]
            for chunk in stride(from: 0, to: gitBlobs.count, by: 500).map({ Array(gitBlobs[$0..<min($0 + 500, gitBlobs.count)]) }) {
                let sql = "SELECT git_blob, sha256, size, stored, lfs_oid, lfs_size FROM blob WHERE git_blob IN (\(chunk.map { _ in "?" }.joined(separator: ",")))"
                for row in try db.rows(sql: sql, arguments: SQLArguments(chunk)) {
                    let info = Self.blob(row)
                    result[info.gitBlob] = info
                }
            }
            return result
        }
    }

    static func blob(_ row: SQLRow) -> BlobInfo {
        BlobInfo(gitBlob: row["git_blob"], sha256: ContentID(hex: row["sha256"])!, size: row["size"], stored: row["stored"],
                 lfsOID: (row["lfs_oid"] as String?).flatMap(ContentID.init(hex:)), lfsSize: row["lfs_size"])
    }

    /// The archived ref tips of a repository (upstream's refs as of the last successful fetch).
    public func refTips(repository: Int64) throws -> [String: String] {
        try read { db in
            var tips: [String: String] = [:]
            for row in try db.rows(sql: "SELECT name, target FROM ref_tip WHERE repository_id = ?", arguments: [repository]) {
                tips[row["name"]] = row["target"]
            }
            return tips
        }
    }

    /// The lost refs of a repository, oldest first.
    public func lostRefs(repository: Int64) throws -> [LostRef] {
        try read { db in
            try db.rows(sql: "SELECT * FROM lost_ref WHERE repository_id = ? ORDER BY id", arguments: [repository]).map {
                LostRef(name: $0["name"], archivedAs: $0["archived_as"], target: $0["target"], replacedBy: $0["replaced_by"],
                        reason: $0["reason"], lostAt: $0["lost_at"] as String)
            }
        }
    }

    /// The package's latest snapshot, if it has one.
    public func lastSnapshot(package: Int64) throws -> SnapshotRecord? {
        try read { db in
            try db.row(sql: "SELECT * FROM snapshot WHERE package_id = ? ORDER BY seq DESC LIMIT 1", arguments: [package]).map(Self.snapshot)
        }
    }

    /// The package's snapshots, oldest first.
    public func snapshots(package: Int64) throws -> [SnapshotRecord] {
        try read { db in
            try db.rows(sql: "SELECT * FROM snapshot WHERE package_id = ? ORDER BY seq", arguments: [package]).map(Self.snapshot)
        }
    }

    static func snapshot(_ row: SQLRow) -> SnapshotRecord {
        var refs: [String: String] = [:]
        if let text: String = row["refs"], let data = text.data(using: .utf8),
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: String] {
            refs = object
        }
        return SnapshotRecord(seq: row["seq"], id: ContentID(hex: row["id"])!, takenAt: row["taken_at"] as String, head: row["head"],
                              headRef: row["head_ref"], manifest: (row["manifest_id"] as String?).flatMap(ContentID.init(hex:)), refs: refs)
    }

    /// The manifest stored for `commit` (and `subpath`), if any.
    public func manifestID(commit: String, subpath: String) throws -> ContentID? {
        try read { db in
            try db.value(String.self, sql: "SELECT id FROM manifest WHERE commit_id = ? AND subpath = ?", arguments: [commit, subpath])
                .flatMap(ContentID.init(hex:))
        }
    }

    /// Every commit of a repository, with parents, newest committer time first.
    public func commits(repository: Int64) throws -> [CommitRecord] {
        try read { db in
            var parents: [String: [String]] = [:]
            let parentRows = try db.rows(sql: """
                SELECT cp.commit_id, cp.parent_id FROM commit_parent cp
                JOIN repository_commit rc ON rc.commit_id = cp.commit_id AND rc.repository_id = ?
                ORDER BY cp.commit_id, cp.position
                """, arguments: [repository])
            for row in parentRows { parents[row["commit_id"], default: []].append(row["parent_id"]) }
            return try db.rows(sql: """
                SELECT c.* FROM git_commit c JOIN repository_commit rc ON rc.commit_id = c.id AND rc.repository_id = ?
                ORDER BY c.committer_time DESC, c.id
                """, arguments: [repository]).map { row in
                CommitRecord(id: row["id"], tree: row["tree"], parents: parents[row["id"]] ?? [],
                             authorName: row["author_name"], authorEmail: row["author_email"], authorTime: row["author_time"],
                             authorOffset: row["author_offset"], committerName: row["committer_name"], committerEmail: row["committer_email"],
                             committerTime: row["committer_time"], committerOffset: row["committer_offset"], message: row["message"])
            }
        }
    }

    /// The commits of a repository whose id starts with `prefix`.
    public func commitIDs(repository: Int64, prefix: String) throws -> [String] {
        try read { db in
            try db.values(String.self, sql: "SELECT commit_id FROM repository_commit WHERE repository_id = ? AND commit_id >= ? AND commit_id < ? LIMIT 2",
                                arguments: [repository, prefix, prefix + "g"])
        }
    }

    /// The files a commit changed, as recorded.
    public func changes(commit: String) throws -> [ChangeRecord] {
        try read { db in
            try db.rows(sql: "SELECT * FROM commit_change WHERE commit_id = ? ORDER BY seq", arguments: [commit]).map {
                ChangeRecord(status: $0["status"], oldPath: $0["old_path"], newPath: $0["new_path"], oldBlob: $0["old_blob"],
                             newBlob: $0["new_blob"], oldMode: $0["old_mode"], newMode: $0["new_mode"])
            }
        }
    }
}

extension Catalog {
    /// The hub metadata of a package as it changed, oldest first: (visit id, time, JSON); a
    /// visit whose metadata differed from the one before only in its metrics (downloads,
    /// likes, …, which its observation keeps) adds none.
    public func metadata(package: Int64) throws -> [(visit: Int64, at: String, json: String)] {
        try read { db in
            try db.rows(sql: """
                SELECT m.visit_id, v.finished_at, m.metadata FROM visit_metadata m JOIN visit v ON v.id = m.visit_id
                WHERE m.package_id = ? ORDER BY m.visit_id
                """, arguments: [package]).map { (visit: $0["visit_id"], at: $0["finished_at"], json: $0["metadata"]) }
        }
    }
}

extension Catalog {
    /// The commits of a repository that changed something under `subpath` (against their
    /// first parent), as `git log --first-parent -- subpath` would list them.
    public func commitIDs(repository: Int64, touching subpath: String) throws -> Set<String> {
        try commitIDs(repository: repository, touching: PackageScope(subpath: subpath))
    }

    /// The commits of a repository that changed a file of `scope` (against their first parent).
    public func commitIDs(repository: Int64, touching scope: PackageScope) throws -> Set<String> {
        let prefix = scope.subpath + "/"
        let card = scope.cardPath ?? ""
        return try read { db in
            var touching = Set<String>()
            try db.each(sql: """
                SELECT ch.commit_id, ch.old_path, ch.new_path FROM commit_change ch
                JOIN repository_commit rc ON rc.commit_id = ch.commit_id AND rc.repository_id = ?
                WHERE substr(ch.new_path, 1, ?) = ? OR substr(ch.old_path, 1, ?) = ? OR ch.new_path = ? OR ch.old_path = ?
                """, arguments: [repository, prefix.utf8.count, prefix, prefix.utf8.count, prefix, card, card]) { row in
                let paths = [row["old_path"] as String?, row["new_path"] as String?].compactMap { $0 }
                if paths.contains(where: scope.contains(repositoryPath:)) { touching.insert(row["commit_id"]) }
            }
            return touching
        }
    }
}

extension Catalog {
    /// The observation columns in table order (after visit_id, package_id, observed_at).
    public static let observationColumns = ["downloads", "likes", "hub_metrics", "commits_total", "commits_new", "files", "bytes", "lfs_files", "lfs_bytes", "weight_formats", "card_license", "card_tags", "card_datasets", "card_language", "card_base_model", "card_pipeline_tag", "card_library_name", "card_has_model_index", "card_bytes", "card_has_body", "card_fields", "config_architectures", "config_model_type", "config_torch_dtype", "config_transformers_version", "config_fields", "problems", "card_state", "card_problem", "config_state", "config_problem"]

    /// A package's observations, oldest first: the time, and the values of
    /// ``observationColumns`` in that order.
    public func observations(package: Int64) throws -> [(observedAt: String, values: [CatalogValue])] {
        try read { db in
            try db.rows(sql: "SELECT * FROM observation WHERE package_id = ? ORDER BY visit_id", arguments: [package]).map { row in
                (observedAt: row["observed_at"], values: Self.observationColumns.map { CatalogValue(row.value($0)) })
            }
        }
    }

    /// Commits archived for a repository (or, with a subpath, those that touched it).
    public func commitCount(repository: Int64, scope: PackageScope) throws -> Int {
        if !scope.subpath.isEmpty || !scope.isWholeSubpath { return try commitIDs(repository: repository, touching: scope).count }
        return try read { db in try db.value(Int.self, sql: "SELECT COUNT(*) FROM repository_commit WHERE repository_id = ?", arguments: [repository]) ?? 0 }
    }
}

/// One value of a catalog column, as SQLite stores it.
public enum CatalogValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)

    /// The value as text ("" for null).
    public var text: String {
        switch self {
        case .null: return ""
        case .int(let n): return String(n)
        case .double(let d): return String(d)
        case .text(let s): return s
        }
    }
}

extension Catalog {
    /// The package's latest observation, if it has one.
    public func lastObservation(package: Int64) throws -> ObservationRecord? {
        try read { db in
            try db.row(sql: "SELECT * FROM observation WHERE package_id = ? ORDER BY visit_id DESC LIMIT 1", arguments: [package])
                .map(Self.observation)
        }
    }

    static func observation(_ row: SQLRow) -> ObservationRecord {
        var o = ObservationRecord()
        o.downloads = row["downloads"]
        o.likes = row["likes"]
        o.hubMetrics = row["hub_metrics"]
        o.commitsTotal = row["commits_total"]
        o.commitsNew = row["commits_new"]
        o.files = row["files"]
        o.bytes = row["bytes"]
        o.lfsFiles = row["lfs_files"]
        o.lfsBytes = row["lfs_bytes"]
        o.weightFormats = row["weight_formats"]
        o.cardLicense = row["card_license"]
        o.cardTags = row["card_tags"]
        o.cardDatasets = row["card_datasets"]
        o.cardLanguage = row["card_language"]
        o.cardBaseModel = row["card_base_model"]
        o.cardPipelineTag = row["card_pipeline_tag"]
        o.cardLibraryName = row["card_library_name"]
        o.cardHasModelIndex = row["card_has_model_index"]
        o.cardBytes = row["card_bytes"]
        o.cardHasBody = row["card_has_body"]
        o.cardFields = row["card_fields"]
        o.configArchitectures = row["config_architectures"]
        o.configModelType = row["config_model_type"]
        o.configTorchDtype = row["config_torch_dtype"]
        o.configTransformersVersion = row["config_transformers_version"]
        o.configFields = row["config_fields"]
        o.problems = row["problems"]
        o.cardState = (row["card_state"] as String?).flatMap(ParseState.init(rawValue:))
        o.cardProblem = row["card_problem"]
        o.configState = (row["config_state"] as String?).flatMap(ParseState.init(rawValue:))
        o.configProblem = row["config_problem"]
        return o
    }
}
