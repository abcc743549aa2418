import Foundation
import Logging
import SedimentGit
import SedimentHubs
import SedimentStore

/// Runs crawls: discovers each hub's packages, then visits them on a bounded pool of
/// dedicated threads (`daemon.concurrency`), at most `daemon.per_host_concurrency` at once
/// per host and one at a time per mirror. One failed visit never stops the others.
public struct Crawler: Sendable {
    public let archive: Archive
    public var logger: Logger
    public var clock: @Sendable () -> Date

    public init(archive: Archive, logger: Logger = Logger(label: "sediment.crawl"), clock: @escaping @Sendable () -> Date = { Date() }) {
        self.archive = archive
        self.logger = logger
        self.clock = clock
    }

    /// Which packages a crawl visits: the hubs named (all when empty), and of those the
    /// packages named as `ID` or `HUB:ID` (all when empty).
    public struct Selection: Sendable {
        public var hubs: [String]
        public var packages: [String]

        public init(hubs: [String] = [], packages: [String] = []) {
            self.hubs = hubs
            self.packages = packages
        }
    }

    /// One crawl now of the selected hubs; blocks the calling thread until every visit is done.
    /// Returns the outcomes in completion order.
    public func crawl(_ selection: Selection, events: @escaping @Sendable (CrawlEvent) -> Void = { _ in }) throws -> [VisitOutcome] {
        let configuration = archive.configuration
        let catalog = archive.catalog
        let hubs = configuration.hubs.filter { selection.hubs.isEmpty || selection.hubs.contains($0.name) }
        var jobs: [VisitJob] = []
        var crawls: [String: Int64] = [:]
        for hub in hubs {
            try catalog.registerHub(name: hub.name, kind: hub.kind)
            let credentials = try hub.credentials()
            let discovered = GitListHub(name: hub.name, repositories: hub.repositories).discover()
            for problem in discovered.problems {
                logger.warning("\(problem.description)")
                events(.problem(problem.description))
            }
            let wanted = discovered.packages.filter { ref in
                selection.packages.isEmpty || selection.packages.contains(ref.id) || selection.packages.contains(ref.qualifiedName)
            }
            guard !wanted.isEmpty else { continue }
            let now = Catalog.timestamp(clock())
            let crawlID = try catalog.beginCrawl(hub: hub.name, at: now)
            crawls[hub.name] = crawlID
            for ref in wanted {
                let package = try catalog.upsertPackage(hub: hub.name, id: ref.id, repositoryURL: GitURL.redacted(ref.repository),
                                                        mirrorPath: GitURL.mirrorPath(for: ref.repository), subpath: ref.subpath, seenAt: now)
                jobs.append(VisitJob(target: Visitor.Target(ref: ref, package: package, hub: hub, credentials: credentials, crawlID: crawlID),
                                     host: Self.host(of: configuration.rewrite(ref.repository)), mirror: package.mirrorPath ?? ref.repository))
            }
        }
        let unknown = selection.packages.filter { name in !jobs.contains { $0.target.ref.id == name || $0.target.ref.qualifiedName == name } }
        if !unknown.isEmpty {
            throw CrawlError.unknownPackages(unknown)
        }
        events(.planned(total: jobs.count))

        let visitor = Visitor(archive: archive, clock: clock)
        let total = jobs.count
        let pool = VisitPool(jobs: jobs, concurrency: configuration.daemon.concurrency, perHost: configuration.daemon.perHostConcurrency)
        let logger = self.logger
        let outcomes = pool.run { job, done in
            let name = job.target.ref.qualifiedName
            events(.visitStarted(package: name))
            let outcome = visitor.visit(job.target) { progress in events(.fetchProgress(package: name, progress)) }
            if let error = outcome.error {
                logger.error("visit failed", metadata: ["sediment.package": "\(name)", "sediment.error": "\(error)"])
            } else {
                logger.info("visited", metadata: ["sediment.package": "\(name)", "sediment.commits": "\(outcome.newCommits)"])
            }
            events(.visitFinished(outcome, done: done(), total: total))
            return outcome
        }
        let now = Catalog.timestamp(clock())
        for (hub, crawlID) in crawls {
            let mine = outcomes.filter { $0.hub == hub }
            try catalog.finishCrawl(crawlID, at: now, packages: mine.count, failed: mine.filter(\.isFailure).count,
                                    eventful: mine.filter(\.eventful).count)
        }
        return outcomes
    }

    /// The host (and port) of a URL, for per-host limits; local paths share one "host".
    static func host(of url: String) -> String {
        GitURL.mirrorPath(for: url).split(separator: "/").first.map(String.init) ?? "local"
    }
}

/// Errors of a crawl as a whole (not of one visit).
public enum CrawlError: Error, CustomStringConvertible {
    case unknownPackages([String])

    public var description: String {
        switch self {
        case .unknownPackages(let names): return "no configured hub lists \(names.joined(separator: ", "))"
        }
    }
}

extension Configuration.Hub {
    /// The credentials from `token_file` or `token_env`, if configured. The token is never logged.
    public func credentials(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> GitCredentials? {
        if let file = tokenFile {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw ConfigurationError(file: file, key: nil, problem: "cannot read the token file of hub \"\(name)\"")
            }
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw ConfigurationError(file: file, key: nil, problem: "the token file of hub \"\(name)\" is empty") }
            return GitCredentials(username: username, password: token)
        }
        if let variable = tokenEnv {
            guard let token = environment[variable], !token.isEmpty else {
                throw ConfigurationError(file: "environment", key: variable, problem: "hub \"\(name)\" reads its token from $\(variable), which is not set")
            }
            return GitCredentials(username: username, password: token)
        }
        return nil
    }
}
