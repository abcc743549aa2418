import Foundation
import SedimentHTTP

/// What a crawl needs of the configuration, built once from it: the hubs, how many visits run
/// at once, the HTTP client's settings, and the options of the components a crawl runs.
public struct CrawlOptions: Sendable {
    public var hubs: [Configuration.Hub]
    /// `[daemon] concurrency` and `per_host_concurrency`.
    public var concurrency: Int
    public var perHostConcurrency: Int
    /// The HTTP client of the API hubs and of LFS.
    public var http: HTTPClient.Configuration
    var discovery: Discovery.Options
    var visit: VisitOptions
    var lfs: LFSOptions

    public init(_ configuration: Configuration) {
        hubs = configuration.hubs
        concurrency = configuration.daemon.concurrency
        perHostConcurrency = configuration.daemon.perHostConcurrency
        var http = HTTPClient.Configuration()
        http.perHostConcurrency = configuration.daemon.perHostConcurrency
        http.retry = RetryPolicy(maxAttempts: configuration.http.maxAttempts, baseDelay: configuration.http.backoff,
                                 maxRetryAfter: configuration.http.maxPause)
        http.limits = configuration.limits.responses
        http.totalTimeout = configuration.http.timeout
        http.connectTimeout = configuration.http.connectTimeout
        http.stallTimeout = configuration.http.stallTimeout
        self.http = http
        discovery = Discovery.Options(configuration)
        visit = VisitOptions(configuration)
        lfs = LFSOptions(configuration)
    }
}
