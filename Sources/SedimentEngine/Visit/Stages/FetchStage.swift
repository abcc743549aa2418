import Foundation
import SedimentGit
import SedimentHTTP
import SedimentHubs
import SedimentNetwork

/// Step 2 of a visit: brings the package's mirror up to date with its remote, retrying
/// transient failures. Packages that share a repository share one fetch per crawl.
struct FetchStage {
    let options: VisitOptions
    /// This crawl's fetches.
    let fetches: FetchCache
    let cancellation: CancellationFlag?

    /// What to fetch, for which package.
    struct Request {
        /// The package (its name and whether the hub gates it).
        var ref: PackageRef
        var credentials: GitCredentials?
        /// The repository URL after `[[rewrite]]` rules.
        var url: String
        var mirrorPath: String
        var patterns: RefPatterns
        /// Nil when the operator chose the URL; otherwise keeps it from internal addresses.
        var addressPolicy: AddressPolicy?
        var deadline: Date
    }

    /// Fetches into `repository` (the mirror at `target.mirrorPath`), or takes this crawl's
    /// earlier fetch of the same mirror, which then counts no received objects.
    func run(_ target: Request, into repository: Repository, progress: ((FetchProgress) -> Void)?) throws -> FetchResult {
        if let earlier = fetches.result(for: target.mirrorPath) {
            var again = earlier
            again.updates = []
            again.receivedObjects = 0
            again.receivedBytes = 0
            again.indexedObjects = 0
            return again
        }
        let fetch: FetchResult
        do {
            fetch = try withRetries {
                try repository.fetch(url: target.url, patterns: target.patterns, credentials: target.credentials, progress: progress,
                                     cancellation: cancellation,
                                     limits: options.network.transferLimits(deadline: target.deadline, addressPolicy: target.addressPolicy))
            }
        } catch let error as GitError where target.ref.gated && error.code == .unauthorised {
            throw VisitError.gated(target.ref.qualifiedName, credentials: target.credentials != nil, detail: error.message)
        }
        fetches.store(fetch, for: target.mirrorPath)
        return fetch
    }

    /// Runs a fetch again when the server answered 429 or 5xx, timed out or dropped the connection, up to
    /// `[http] max_attempts` in all, with exponential backoff and jitter; other errors are
    /// final at once. Nothing is written to the mirror by a failed fetch.
    private func withRetries<T>(_ body: () throws -> T) throws -> T {
        let policy = RetryPolicy(maxAttempts: options.maxAttempts, baseDelay: options.backoff)
        let retrying = Retrying(policy: policy, isCancelled: { cancellation?.isRaised == true })
        do {
            return try retrying.run { _ in try body() }
        } catch let interruption as RetryInterruption {
            throw interruption.last
        }
    }

    /// Whether `url` is a plain path (no scheme, not ssh's `host:path`).
    static func isLocalPath(_ url: String) -> Bool {
        if url.hasPrefix("file://") { return false }
        if url.contains("://") { return false }
        if let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/") { return false }
        return true
    }

    static func isNotFound(_ error: Error) -> Bool {
        if case VisitError.notFound = error { return true }
        return (error as? GitError)?.code == .notFound
    }
}
