import Foundation
import SedimentMetadata

/// What the commands that read the archive (`show`, `diff`, `status`, `export`, `verify`)
/// need of the configuration, built where the configuration is read.
public struct QueryOptions: Sendable {
    /// `[storage] path`, as status reports it.
    public var storagePath: String
    /// `[storage] blob_max_bytes`: the cap a manifest rebuilt from a mirror applies.
    public var blobMaxBytes: Int64
    /// `[limits] card_bytes` and `config_bytes`: how much of a card and a config a diff reads.
    public var files: ObservationExtractor.Limits
    /// `[daemon]`: when each hub's next listing is due, for status.
    public var daemon: Configuration.Daemon
    /// The configured hubs: their locations in exports, their credentials for repairs.
    public var hubs: [Configuration.Hub]

    public init(_ configuration: Configuration) {
        storagePath = configuration.storage.path
        blobMaxBytes = configuration.storage.blobMaxBytes
        files = configuration.limits.files
        daemon = configuration.daemon
        hubs = configuration.hubs
    }
}
