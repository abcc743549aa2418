import Foundation

/// A package with what its latest observation says: what `sediment serve` lists and searches.
public struct PackageSummary: Sendable {
    public var package: PackageRecord
    public var downloads: Int64?
    public var likes: Int64?
    /// When the package was last observed (its latest visit with an observation).
    public var observedAt: String?
    public var license: String?
    public var pipelineTag: String?
    public var libraryName: String?
    /// The card's tags, as a JSON array.
    public var tags: String?
    /// `{format: {files, bytes}}`, as a JSON object.
    public var weightFormats: String?
}

/// One observation of a package, as the web view plots it.
public struct ObservationPoint: Sendable, Equatable {
    public var observedAt: String
    public var downloads: Int64?
    public var likes: Int64?
    public var files: Int
    public var bytes: Int64
    public var weightFormats: String?
    public var license: String?
}

/// A package's facts from one month on: the month of an observation whose facts differ from
/// those the package had at the end of the month before.
public struct MonthlyFacts: Sendable {
    public var packageRowID: Int64
    public var hub: String
    /// `YYYY-MM`.
    public var month: String
    public var safetensors: Bool
    /// Pickle-based weights (`weight_formats` names `pytorch`, `pickle` or `joblib`).
    public var pickle: Bool
    public var license: String?

    public init(packageRowID: Int64, hub: String, month: String, safetensors: Bool, pickle: Bool, license: String?) {
        self.packageRowID = packageRowID
        self.hub = hub
        self.month = month
        self.safetensors = safetensors
        self.pickle = pickle
        self.license = license
    }
}

extension Catalog {
    /// Every package with its latest observation's metrics and facts, by hub then id.
    public func packageSummaries() throws -> [PackageSummary] {
        try read { db in
            var latest: [Int64: SQLRow] = [:]
            for row in try db.rows(sql: """
                SELECT o.package_id, o.observed_at, o.downloads, o.likes, f.card_license, f.card_pipeline_tag, f.card_library_name,
                       f.card_tags, f.weight_formats
                FROM observation_point o JOIN observation_facts f ON f.id = o.facts_id
                WHERE o.visit_id IN (SELECT MAX(visit_id) FROM observation_point GROUP BY package_id)
                """) {
                latest[row["package_id"]] = row
            }
            return try db.rows(sql: Self.packageSelect + " ORDER BY p.hub, p.package_id").map { row in
                let package = Self.package(row)
                var summary = PackageSummary(package: package)
                if let o = latest[package.rowID] {
                    summary.downloads = o["downloads"]
                    summary.likes = o["likes"]
                    summary.observedAt = o["observed_at"]
                    summary.license = o["card_license"]
                    summary.pipelineTag = o["card_pipeline_tag"]
                    summary.libraryName = o["card_library_name"]
                    summary.tags = o["card_tags"]
                    summary.weightFormats = o["weight_formats"]
                }
                return summary
            }
        }
    }

    /// A package's observations, oldest first, with what the web view plots.
    public func observationPoints(package: Int64) throws -> [ObservationPoint] {
        try read { db in
            try db.rows(sql: """
                SELECT o.observed_at, o.downloads, o.likes, f.files, f.bytes, f.weight_formats, f.card_license
                FROM observation_point o JOIN observation_facts f ON f.id = o.facts_id
                WHERE o.package_id = ? ORDER BY o.visit_id
                """, arguments: [package]).map { row in
                ObservationPoint(observedAt: row["observed_at"], downloads: row["downloads"], likes: row["likes"], files: row["files"],
                                 bytes: row["bytes"], weightFormats: row["weight_formats"], license: row["card_license"])
            }
        }
    }

    /// For every package, the months at whose end its facts (weight formats, licence) had
    /// changed since the month before, with those facts; by package, then month. A package's
    /// facts at a month are those of its last observation in that month.
    ///
    /// Facts are stored once per change (a package's observation reuses its last facts when
    /// they are equal), so each facts row is one run of observations of one package, and the
    /// run's first observation is the change.
    public func monthlyFacts() throws -> [MonthlyFacts] {
        let changes = try read { db in
            try db.rows(sql: """
                SELECT r.package_id, p.hub, r.first_at, f.card_license,
                       CASE WHEN f.weight_formats LIKE '%"safetensors":%' THEN 1 ELSE 0 END AS safetensors,
                       CASE WHEN f.weight_formats LIKE '%"pytorch":%' OR f.weight_formats LIKE '%"pickle":%'
                                 OR f.weight_formats LIKE '%"joblib":%' THEN 1 ELSE 0 END AS pickle
                FROM (SELECT facts_id, MIN(package_id) AS package_id, MIN(observed_at) AS first_at
                      FROM observation_point GROUP BY facts_id) r
                JOIN observation_facts f ON f.id = r.facts_id
                JOIN package p ON p.id = r.package_id
                ORDER BY r.package_id, r.first_at
                """).map { row -> (at: String, facts: MonthlyFacts) in
                let at: String = row["first_at"]
                return (at, MonthlyFacts(packageRowID: row["package_id"], hub: row["hub"], month: String(at.prefix(7)),
                                         safetensors: row["safetensors"], pickle: row["pickle"], license: row["card_license"]))
            }
        }
        // The last change of each package in each month holds at the month's end.
        var result: [MonthlyFacts] = []
        result.reserveCapacity(changes.count)
        for change in changes {
            if let last = result.last, last.packageRowID == change.facts.packageRowID, last.month == change.facts.month {
                result[result.count - 1] = change.facts
            } else {
                result.append(change.facts)
            }
        }
        return result
    }

    /// Counts per month (`YYYY-MM`) of packages first seen and snapshots taken, by hub.
    public func archiveGrowth() throws -> (packages: [(hub: String, month: String, count: Int)], snapshots: [(hub: String, month: String, count: Int)]) {
        try read { db in
            let packages = try db.rows(sql: """
                SELECT hub, substr(first_seen, 1, 7) AS month, COUNT(*) AS n FROM package GROUP BY hub, substr(first_seen, 1, 7) ORDER BY 2, 1
                """).map { (hub: $0["hub"] as String, month: $0["month"] as String, count: $0["n"] as Int) }
            let snapshots = try db.rows(sql: """
                SELECT p.hub, substr(s.taken_at, 1, 7) AS month, COUNT(*) AS n FROM snapshot s JOIN package p ON p.id = s.package_id
                GROUP BY p.hub, substr(s.taken_at, 1, 7) ORDER BY 2, 1
                """).map { (hub: $0["hub"] as String, month: $0["month"] as String, count: $0["n"] as Int) }
            return (packages, snapshots)
        }
    }
}

extension Catalog {
    /// One archived commit, with its parents.
    public func commitRecord(_ id: String) throws -> CommitRecord? {
        try read { db in
            guard let row = try db.row(sql: "SELECT * FROM git_commit WHERE id = ?", arguments: [id]) else { return nil }
            let parents = try db.values(String.self, sql: "SELECT parent_id FROM commit_parent WHERE commit_id = ? ORDER BY position", arguments: [id])
            return CommitRecord(id: row["id"], tree: row["tree"], parents: parents,
                                authorName: row["author_name"], authorEmail: row["author_email"], authorTime: row["author_time"],
                                authorOffset: row["author_offset"], committerName: row["committer_name"], committerEmail: row["committer_email"],
                                committerTime: row["committer_time"], committerOffset: row["committer_offset"], message: row["message"])
        }
    }
}

extension Catalog {
    /// The hubs the archive holds packages of, by name.
    public func hubNames() throws -> [String] {
        try read { db in try db.values(String.self, sql: "SELECT DISTINCT hub FROM package ORDER BY hub") }
    }
}
