import Foundation
import Logging
import SedimentEngine
import SedimentStore

/// What `sediment serve` keeps in memory of the catalog, so that lists, searches and trends
/// answer without scanning it: every package with its latest observation, the served ids, and
/// each hub's trends. Made at start, then again every `refreshInterval` in the background;
/// pages say when it was made.
public final class ArchiveIndex: @unchecked Sendable {  // @unchecked: `lock` guards `state`
    public struct State: Sendable {
        public var summaries: [PackageSummary]
        /// Package row id → index in `summaries`.
        public var byRow: [Int64: Int]
        public var ids: ServedIDs
        public var trends: [HubTrends]
        /// Packages first seen and snapshots taken, by hub and month.
        public var growth: (packages: [(hub: String, month: String, count: Int)], snapshots: [(hub: String, month: String, count: Int)])
        public var lastCrawls: [String: String]
        public var madeAt: Date

        public func summary(_ rowID: Int64) -> PackageSummary? { byRow[rowID].map { summaries[$0] } }
    }

    public let archive: Archive
    private let lock = NSLock()
    private var state: State

    public init(archive: Archive) throws {
        self.archive = archive
        state = try Self.make(archive)
    }

    public var current: State {
        lock.lock()
        defer { lock.unlock() }
        return state
    }

    /// Reads the catalog again.
    public func refresh() throws {
        let next = try Self.make(archive)
        lock.lock()
        state = next
        lock.unlock()
    }

    private static func make(_ archive: Archive) throws -> State {
        let catalog = archive.catalog
        let summaries = try catalog.packageSummaries()
        var byRow: [Int64: Int] = [:]
        for (i, s) in summaries.enumerated() { byRow[s.package.rowID] = i }
        let huggingFace = Set(archive.configuration.hubs.filter { $0.kind == "huggingface" }.map(\.name))
        let ids = ServedIDs(summaries.map { (rowID: $0.package.rowID, hub: $0.package.hub, id: $0.package.id) }, huggingFaceHubs: huggingFace)
        let growth = try catalog.archiveGrowth()
        let trends = HubTrends.compute(try catalog.monthlyFacts(), firstSeen: growth.packages)
        return State(summaries: summaries, byRow: byRow, ids: ids, trends: trends, growth: growth,
                     lastCrawls: try catalog.lastSuccessfulCrawls(), madeAt: Date())
    }
}
