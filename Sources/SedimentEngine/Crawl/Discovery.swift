import Foundation
import SedimentHTTP
import SedimentHubs
import SedimentStore

/// Turns one configured hub into its packages, with the ``HubKind`` of its kind.
struct Discovery {
    let archive: Archive
    let hub: Configuration.Hub
    /// The crawl's fetches: an index that is also the packages' repository is fetched once.
    let fetches: FetchCache
    let client: HTTPClient
    let environment: [String: String]
    let options: Options

    /// What listing needs of the configuration.
    struct Options: Sendable {
        /// Where an index repository is fetched from, and the limits of that fetch.
        var network: NetworkOptions
        /// `[limits] index_bytes`.
        var indexBytes: Int

        init(_ configuration: Configuration) {
            network = configuration.network
            indexBytes = configuration.limits.indexBytes
        }
    }

    struct Result {
        var packages: [PackageRef]
        var problems: [HubProblem]
        /// Whether the listing is the hub's whole list (so an absent package may be gone).
        var complete: Bool
    }

    func discover() throws -> Result {
        try hub.kindType.discover(self)
    }

    /// What the hub says now of a package it no longer lists: gone, restricted, or still there.
    func lookup(_ id: String) throws -> HuggingFaceHub.Lookup? {
        try hub.kindType.lookup(id, discovery: self)
    }

    /// The hub's index repository (`index` of an index hub).
    func index() -> IndexRepository {
        IndexRepository(archive: archive, hub: hub, url: hub.index ?? "", fetches: fetches,
                        network: options.network, indexBytes: options.indexBytes, environment: environment)
    }
}
