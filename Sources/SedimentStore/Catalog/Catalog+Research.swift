import Foundation

/// One edge of the `lineage` view: `package` names `base` as its base model.
public struct LineageEdge: Sendable, Equatable {
    public var hub: String
    public var package: String
    /// The base model's id as the card or the hub gives it.
    public var base: String
    /// `finetune`, `quantized`, `adapter`, `merge`, … when the hub or the card says.
    public var relation: String?
    /// `card` (the card's `base_model`) or `hub` (the Hub's `baseModels`).
    public var source: String
    /// The hub of the archived package whose id is `base` (the package's own hub first); nil
    /// when no archived package has that id.
    public var baseHub: String?
}

/// A package's value of a metric as of an instant: its latest observation at or before it.
public struct RankedPackage: Sendable, Equatable {
    public var package: String
    public var value: Int64
    public var observedAt: String
}

extension Catalog {
    /// Every edge of the `lineage` view, by hub, package and base.
    public func lineageEdges() throws -> [LineageEdge] {
        try read { db in
            try db.rows(sql: "SELECT hub, package, base, relation, source, base_hub FROM lineage ORDER BY hub, package, base, source")
                .map { row in
                    LineageEdge(hub: row["hub"], package: row["package"], base: row["base"], relation: row["relation"],
                                source: row["source"], baseHub: row["base_hub"])
                }
        }
    }

    /// The packages of `hub` by `metric` (`downloads` or `likes`) as of `instant` (catalog
    /// time text, compared as text), highest first, ties by id; packages without an
    /// observation by then, or without the metric in it, are left out.
    public func ranking(hub: String, metric: String, asOf instant: String) throws -> [RankedPackage] {
        precondition(["downloads", "likes"].contains(metric), "not a ranked metric: \(metric)")
        return try read { db in
            try db.rows(sql: """
                SELECT p.package_id, o.\(metric) AS value, o.observed_at
                FROM package p JOIN observation_point o ON o.visit_id = (
                    SELECT MAX(visit_id) FROM observation_point WHERE package_id = p.id AND observed_at <= ?)
                WHERE p.hub = ? AND o.\(metric) IS NOT NULL
                ORDER BY o.\(metric) DESC, p.package_id
                """, arguments: [instant, hub]).map { row in
                RankedPackage(package: row["package_id"], value: row["value"], observedAt: row["observed_at"])
            }
        }
    }
}
