import Foundation

/// What `verify --repair` needs of the configuration: the caps a rebuilt manifest applies,
/// the hubs whose credentials may fetch from a repository, and how LFS objects are fetched
/// again (their policy, retries, rewrite rules and address policy).
public struct RepairOptions: Sendable {
    var query: QueryOptions
    var lfs: LFSOptions

    public init(_ configuration: Configuration) {
        query = QueryOptions(configuration)
        lfs = LFSOptions(configuration)
    }
}
