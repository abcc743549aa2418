import Foundation
import SedimentNetwork
import SedimentGit
import SedimentHubs
import SedimentStore

/// Sediment's configuration, as read from `sediment.toml` (see `config/sediment.toml`).
public struct Configuration: Sendable {
    /// Where and how the archive is stored.
    public struct Storage: Sendable {
        /// The folder holding `mirrors/`, `blobs/` and `catalog.sqlite`.
        public var path: String = "/var/lib/sediment"
        /// Whether the configuration file set `path` (false: the default above is used).
        public var pathIsSet = false
        /// Larger non-LFS files are recorded (sha256, size) but their content is not stored.
        public var blobMaxBytes: Int64 = 10 * 1024 * 1024
        /// `pointers` (record LFS pointers only) or `fetch` (also fetch the objects).
        public var lfs: String = "pointers"
        /// With `lfs = "fetch"`: the largest object fetched (0 = no limit). An LFS pointer may
        /// declare any size, so the default is finite: 50 GiB, above the largest files hubs
        /// accept today.
        public var lfsMaxBytes: Int64 = 50 << 30
        /// With `lfs = "fetch"`: glob patterns of paths whose objects are fetched; empty = all.
        public var lfsInclude: [String] = []
        /// Bytes LFS downloads leave free on the blob store's file system: an object that
        /// would eat into them waits (pending, not failed) until there is room.
        public var freeSpaceReserve: Int64 = 1 << 30
        /// Blobs smaller than this go into packs; larger ones are stored as objects of their own.
        public var packThreshold: Int64 = PackStore.Options().threshold
        /// The size at which a pack is closed and another begun.
        public var packSize: Int64 = PackStore.Options().packSize
        /// Where the store lives: nil for `<path>/blobs`, else a folder or `s3://BUCKET/PREFIX`.
        public var store: StoreLocation?
        /// The S3 API's URL (`http://127.0.0.1:9000`, a MinIO or Ceph gateway); nil: from
        /// `AWS_ENDPOINT_URL`, else AWS's own endpoint for `region`.
        public var endpoint: String?
        /// The bucket's region; nil: from `AWS_REGION`, `AWS_DEFAULT_REGION`, the AWS config file, else `us-east-1`.
        public var region: String?

        public init() {}

        /// How the archive's pack store is to write.
        public var packOptions: PackStore.Options {
            PackStore.Options(threshold: packThreshold, packSize: packSize)
        }
    }

    /// The long-running service's settings.
    public struct Daemon: Sendable {
        /// Seconds between two crawls of a hub.
        public var interval: TimeInterval = 6 * 3600
        /// Visits at once.
        public var concurrency: Int = 4
        /// Connections at once to one host.
        public var perHostConcurrency: Int = 2
        /// Address of the metrics and status endpoint (`/metrics`, `/healthz`, `/status`).
        public var listen: String = "127.0.0.1:9464"
        /// The shortest time between two visits of one package (eventful packages approach it).
        public var minRevisit: TimeInterval = 3600
        /// The longest time between two visits of one package (dormant packages approach it).
        public var maxRevisit: TimeInterval = 7 * 86400
        /// Consecutive failed visits after which a package is parked.
        public var parkAfter: Int = 5
        /// How often a parked package is retried (at once when its hub listing changes).
        public var parkedRevisit: TimeInterval = 7 * 86400
        /// After SIGTERM, how long visits in progress may take to finish before the daemon
        /// exits anyway (what they wrote is rolled back at the next start, as after a crash).
        /// Keep it below the unit's `TimeoutStopSec`.
        public var stopTimeout: TimeInterval = 60
        /// The longest a visit may wait on the network: past it, its transfers are abandoned
        /// and the visit is recorded as failed (`visit_timeout`).
        public var visitTimeout: TimeInterval = 3600
        /// `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`.
        public var logLevel: String = "info"

        public init() {}
    }

    /// One `[[hub]]` table.
    public struct Hub: Sendable {
        /// One of ``Configuration/hubKinds``.
        public var kind: String
        /// Defaults to `kind`; unique across hubs.
        public var name: String
        /// For `kind = "git"`: the repository URLs (https, http, git://, ssh, local paths).
        public var repositories: [String] = []
        /// For `kind = "git"`: the package ids the operator gave repositories (by URL);
        /// the others are named by their URL's path.
        public var repositoryIDs: [String: String] = [:]
        /// Which refs to mirror (globs); heads and tags by default.
        public var refs: [String] = RefPatterns.default.include
        /// Refs never mirrored, even when `refs` matches them.
        public var excludeRefs: [String] = []
        /// A file holding the access token; read at start-up, never logged.
        public var tokenFile: String?
        /// The name of an environment variable holding the access token.
        public var tokenEnv: String?
        /// The user name sent with the token over HTTPS.
        public var username: String = "sediment"
        /// For API hubs: the base URL (Hugging Face: `https://huggingface.co`).
        public var endpoint: String?
        /// For `kind = "huggingface"`: which models to list.
        public var query = HuggingFaceHub.Query()
        /// For `kind = "huggingface"`: models per API page.
        public var pageSize: Int = 1000
        /// Skip the git round trip when the hub reports the archived head (`skip_unchanged`).
        public var skipUnchanged = true
        /// For index hubs (`modelhub`, `pytorch-hub`): the repository holding the index.
        public var index: String?

        public init(kind: String, name: String) {
            self.kind = kind
            self.name = name
        }

        /// The ref patterns this hub's mirrors follow.
        public var refPatterns: RefPatterns { RefPatterns(include: refs, exclude: excludeRefs) }
    }

    /// One `[[rewrite]]` rule: like git's `url.<base>.insteadOf`, the longest matching prefix wins.
    public struct Rewrite: Sendable, Equatable {
        /// `url` after `rules` (the longest matching prefix wins).
        static func apply(_ rules: [Rewrite], to url: String) -> String {
            guard let rule = rules.filter({ url.hasPrefix($0.prefix) }).max(by: { $0.prefix.count < $1.prefix.count }) else { return url }
            return rule.replacement + url.dropFirst(rule.prefix.count)
        }

        public var prefix: String
        public var replacement: String

        public init(prefix: String, replacement: String) {
            self.prefix = prefix
            self.replacement = replacement
        }
    }

    /// How API hubs are asked (`[http]`).
    public struct HTTP: Sendable {
        /// Sends of one request at most (the first and its retries).
        public var maxAttempts: Int = 5
        /// The first retry's backoff in seconds; each further one doubles (with jitter).
        public var backoff: Double = 0.5
        /// Seconds one API request may take in all.
        public var timeout: Double = 300
        /// Seconds to wait for a TCP connection, for git and HTTP alike (`connect_timeout`).
        public var connectTimeout: Double = 30
        /// Seconds a transfer may go without receiving a byte before it fails, for git and
        /// HTTP alike (`stall_timeout`).
        public var stallTimeout: Double = 60
        /// The longest wait a server may impose (`max_pause`): a `Retry-After` asking for
        /// longer fails the request, and a rate-limit reset further away holds its host this
        /// long only.
        public var maxPause: Double = 900

        public init() {}
    }

    /// `[security]`: what URLs from hub data may reach.
    public struct Security: Sendable {
        /// Internal networks that URLs from hub data may reach all the same (`allow_networks`).
        public var allowedNetworks: [AddressPolicy.Network] = []

        public init() {}
    }

    public var storage = Storage()
    /// `[catalog] url`: the catalog's database when it is not `<storage>/catalog.sqlite`
    /// (a PostgreSQL database that several workers share, or another SQLite file).
    public var catalog: CatalogLocation?
    public var daemon = Daemon()
    public var serve = Serve()
    public var http = HTTP()
    public var security = Security()
    public var limits = Limits()
    public var hubs: [Hub] = []
    public var rewrites: [Rewrite] = []
    /// The file this configuration was read from, if any.
    public var source: String?

    public init() {}

    /// Every hub kind of SPEC.md (one type each, in ``HubKinds``).
    public static let hubKinds = HubKinds.names
    /// The log levels of `daemon.log_level`, most verbose first.
    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
    /// The hub kinds this version can crawl.
    public static let supportedHubKinds = hubKinds

    /// `url` after the `[[rewrite]]` rules (the longest matching prefix wins).
    public func rewrite(_ url: String) -> String {
        Rewrite.apply(rewrites, to: url)
    }

    /// Paths inside the storage folder.
    public var mirrorsPath: String { storage.path + "/mirrors" }
    public var blobsPath: String { storage.path + "/blobs" }
    /// The archive's store: `[storage] store`, else the `blobs` folder.
    public var storeLocation: StoreLocation { storage.store ?? .local(path: blobsPath) }
    /// The SQLite catalog's path when `[catalog] url` names none: `<storage>/catalog.sqlite`.
    public var catalogPath: String { storage.path + "/catalog.sqlite" }
    /// The archive's catalog: `[catalog] url`, else the SQLite file in the storage folder.
    public var catalogLocation: CatalogLocation { catalog ?? .sqlite(path: catalogPath) }
}
