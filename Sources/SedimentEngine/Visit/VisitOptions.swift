import Foundation
import SedimentMetadata

/// What a visit needs of the configuration, built once from it.
struct VisitOptions: Sendable {
    /// Where fetches go (`[[rewrite]]`, `[security]`) and their timeouts.
    var network: NetworkOptions
    /// `[daemon] visit_timeout`: how long one visit may take.
    var visitTimeout: TimeInterval
    /// `[storage] blob_max_bytes`: larger files are hashed, not stored.
    var blobMaxBytes: Int64
    /// `[limits] card_bytes` and `config_bytes`.
    var fileLimits: ObservationExtractor.Limits
    /// `[http] max_attempts` and `backoff`: how often a transient fetch failure is retried.
    var maxAttempts: Int
    var backoff: Double

    init(_ configuration: Configuration) {
        network = configuration.network
        visitTimeout = configuration.daemon.visitTimeout
        blobMaxBytes = configuration.storage.blobMaxBytes
        fileLimits = configuration.limits.files
        maxAttempts = configuration.http.maxAttempts
        backoff = configuration.http.backoff
    }
}
