import Foundation

/// What the daemon reads of the configuration: its own `[daemon]` settings and what its
/// crawls need (the hubs among them).
public struct DaemonOptions: Sendable {
    /// `[daemon]`: the endpoint's address, the schedule, the stop timeout.
    public var daemon: Configuration.Daemon
    public var crawl: CrawlOptions
    /// What the status endpoint's `/status` reports with.
    public var query: QueryOptions
    /// The configured hubs, in the configuration's order.
    public var hubs: [Configuration.Hub] { crawl.hubs }

    public init(_ configuration: Configuration) {
        daemon = configuration.daemon
        crawl = CrawlOptions(configuration)
        query = QueryOptions(configuration)
    }
}
