import Foundation
import SedimentHTTP

/// What the LFS fetcher needs of the configuration, built once from it.
struct LFSOptions: Sendable {
    /// `[storage] lfs`, `lfs_max_bytes`, `lfs_include`.
    var policy: LFSPolicy
    /// `[storage] free_space_reserve`: downloads stop before the blob store's disk goes under it.
    var freeSpaceReserve: Int64
    /// `[http] max_attempts`, `backoff` and `max_pause`.
    var retry: RetryPolicy
    /// `[daemon] visit_timeout`, named when a visit's deadline stops the downloads.
    var visitTimeout: TimeInterval
    /// Where LFS requests may go.
    var network: NetworkOptions

    init(_ configuration: Configuration) {
        policy = LFSPolicy(configuration.storage)
        freeSpaceReserve = configuration.storage.freeSpaceReserve
        retry = RetryPolicy(maxAttempts: configuration.http.maxAttempts, baseDelay: configuration.http.backoff,
                            maxRetryAfter: configuration.http.maxPause)
        visitTimeout = configuration.daemon.visitTimeout
        network = configuration.network
    }
}
