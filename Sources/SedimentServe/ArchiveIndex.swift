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
        /// For each of `summaries`: the id it is served under, and that id and the package's
        /// `HUB:ID` lowercased as bytes, for searches.
        public var servedIDs: [String]
        public var idKeys: [[UInt8]]
        public var nameKeys: [[UInt8]]
        public var trends: [HubTrends]
        /// Packages first seen and snapshots taken, by hub and month.
        public var growth: (packages: [(hub: String, month: String, count: Int)], snapshots: [(hub: String, month: String, count: Int)])
        public var lastCrawls: [String: String]
        public var madeAt: Date

        public func summary(_ rowID: Int64) -> PackageSummary? { byRow[rowID].map { summaries[$0] } }

        /// The indexes of `summaries` whose key (of `keys`) contains `needle`, lowercased.
        public func matching(_ needle: String, in keys: [[UInt8]]) -> [Int] {
            let pattern = Array(needle.lowercased().utf8)
            guard !pattern.isEmpty else { return Array(summaries.indices) }
            return keys.indices.filter { Self.contains(keys[$0], pattern) }
        }

        static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
            guard needle.count <= haystack.count else { return false }
            let first = needle[0], last = haystack.count - needle.count
            var i = 0
            while i <= last {
                if haystack[i] == first {
                    var j = 1
                    while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                    if j == needle.count { return true }
                }
                i += 1
            }
            return false
        }
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
        let servedIDs = summaries.map { ids.name(of: $0.package.rowID) ?? "" }
        return State(summaries: summaries, byRow: byRow, ids: ids, servedIDs: servedIDs,
                     idKeys: servedIDs.map { Array($0.lowercased().utf8) },
                     nameKeys: summaries.map { Array($0.package.qualifiedName.lowercased().utf8) },
                     trends: trends, growth: growth,
                     lastCrawls: try catalog.lastSuccessfulCrawls(), madeAt: Date())
    }
}
