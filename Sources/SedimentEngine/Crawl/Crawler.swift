import Foundation
import Logging
import SedimentGit
import SedimentHTTP
import SedimentHubs
import SedimentStore

/// Runs crawls: discovers each hub's packages, then visits them on a bounded pool of
/// dedicated threads (`daemon.concurrency`), at most `daemon.per_host_concurrency` at once
/// per host and one at a time per mirror. One failed visit never stops the others.
public struct Crawler: Sendable {
    public let archive: Archive
    public var logger: Logger
    public var clock: @Sendable () -> Date
    /// The HTTP client of the API hubs (one per crawler: it holds the per-host limits).
    public var client: HTTPClient
    /// Where `token_env` and `HF_TOKEN` are read.
    public var environment: [String: String]

    public init(archive: Archive, logger: Logger = Logger(label: "sediment.crawl"), clock: @escaping @Sendable () -> Date = { Date() },
                client: HTTPClient? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.archive = archive
        self.logger = logger
        self.clock = clock
        var http = HTTPClient.Configuration()
        http.perHostConcurrency = archive.configuration.daemon.perHostConcurrency
        http.retry = RetryPolicy(maxAttempts: archive.configuration.http.maxAttempts, baseDelay: archive.configuration.http.backoff)
        http.totalTimeout = archive.configuration.http.timeout
        http.connectTimeout = archive.configuration.http.connectTimeout
        http.stallTimeout = archive.configuration.http.stallTimeout
        self.client = client ?? HTTPClient(configuration: http)
        self.environment = environment
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

    /// What a crawl did: every visit's outcome, and the hubs that could not be listed.
    public struct Report: Sendable {
        public var outcomes: [VisitOutcome]
        public var hubErrors: [String]
        /// Listed packages the schedule did not find due.
        public var notDue = 0
        /// The crawl was stopped before every due package was visited (its crawl rows stay unfinished).
        public var interrupted = false
        /// Whether anything failed (`sync` then exits 1).
        public var failed: Bool { !hubErrors.isEmpty || outcomes.contains(where: \.isFailure) }
    }

    /// One crawl now of the selected hubs; blocks the calling thread until every visit is done.
    /// A hub that cannot be listed is reported and the other hubs go on.
    ///
    /// With a `schedule`, only the packages it finds due are visited, and it hears of every
    /// recorded visit. Raising `cancellation` starts no further visit, aborts fetches in
    /// progress (those visits are not recorded) and leaves the crawl unfinished.
    public func crawl(_ selection: Selection, schedule: CrawlSchedule? = nil, cancellation: CancellationFlag? = nil,
                      events: @escaping @Sendable (CrawlEvent) -> Void = { _ in }) throws -> Report {
        let configuration = archive.configuration
        let catalog = archive.catalog
        let hubs = configuration.hubs.filter { selection.hubs.isEmpty || selection.hubs.contains($0.name) }
        var jobs: [VisitJob] = []
        var crawls: [String: Int64] = [:]
        var hubErrors: [String] = []
        var early: [VisitOutcome] = []
        var notDue = 0
        let fetches = FetchCache()
        for hub in hubs {
            if cancellation?.isRaised == true { break }
            try catalog.registerHub(name: hub.name, kind: hub.kind)
            let credentials = try hub.credentials(environment: environment)
            let discovery = Discovery(archive: archive, hub: hub, fetches: fetches, client: client, environment: environment)
            let now = Catalog.timestamp(clock())
            let discovered: Discovery.Result
            do {
                discovered = try discovery.discover()
            } catch {
                let message = Visitor.describe(error)
                logger.error("hub listing failed", metadata: ["hub": "\(hub.name)", "error": "\(message)"])
                events(.problem(message))
                hubErrors.append(message)
                let crawlID = try catalog.beginCrawl(hub: hub.name, at: now)
                try catalog.finishCrawl(crawlID, at: Catalog.timestamp(clock()), packages: 0, failed: 0, eventful: 0, error: message)
                continue
            }
            for problem in discovered.problems {
                logger.warning("hub entry skipped", metadata: ["hub": "\(hub.name)", "problem": "\(problem.description)"])
                events(.problem(problem.description))
            }
            let wanted = discovered.packages.filter { ref in
                selection.packages.isEmpty || selection.packages.contains(ref.id) || selection.packages.contains(ref.qualifiedName)
            }
            let crawlID = try catalog.beginCrawl(hub: hub.name, at: now)
            crawls[hub.name] = crawlID
            for ref in wanted {
                let hasRepository = !ref.repository.isEmpty
                let package = try catalog.upsertPackage(hub: hub.name, id: ref.id,
                                                        repositoryURL: hasRepository ? GitURL.redacted(ref.repository) : nil,
                                                        mirrorPath: hasRepository ? GitURL.mirrorPath(for: ref.repository) : nil,
                                                        subpath: ref.subpath, seenAt: now, gated: ref.gated, reportedHead: ref.reportedHead)
                if let schedule, !schedule.isDue(package, ref) {
                    notDue += 1
                    continue
                }
                jobs.append(VisitJob(target: Visitor.Target(ref: ref, package: package, hub: hub, credentials: credentials, crawlID: crawlID),
                                     host: hasRepository ? Self.host(of: configuration.rewrite(ref.repository)) : "metadata-only",
                                     mirror: package.mirrorPath ?? "metadata-only:" + ref.qualifiedName))
            }
            // Packages the hub no longer lists: ask whether they are gone (their archive stays).
            if discovered.complete && selection.packages.isEmpty {
                let listed = Set(discovered.packages.map(\.id))
                for known in try catalog.packages(hubs: [hub.name]) where !known.deleted && !listed.contains(known.id) {
                    early.append(try checkUnlisted(known, discovery: discovery, crawlID: crawlID))
                }
            }
        }
        let unknown = selection.packages.filter { name in !jobs.contains { $0.target.ref.id == name || $0.target.ref.qualifiedName == name } }
        if !unknown.isEmpty {
            throw CrawlError.unknownPackages(unknown)
        }
        events(.planned(total: jobs.count + early.count))
        for (index, outcome) in early.enumerated() {
            events(.visitFinished(outcome, done: index + 1, total: jobs.count + early.count))
        }

        let lfs = LFSPolicy(configuration.storage).fetch ? LFSFetcher(archive: archive, http: client, clock: clock, cancellation: cancellation) : nil
        let visitor = Visitor(archive: archive, clock: clock, fetches: fetches, cancellation: cancellation, lfs: lfs)
        let total = jobs.count + early.count
        let alreadyDone = early.count
        let pool = VisitPool(jobs: jobs, concurrency: configuration.daemon.concurrency, perHost: configuration.daemon.perHostConcurrency,
                             cancellation: cancellation)
        let logger = self.logger
        let outcomes = pool.run { job, done in
            let name = job.target.ref.qualifiedName
            events(.visitStarted(package: name))
            let outcome = visitor.visit(job.target) { progress in events(.fetchProgress(package: name, progress)) }
            let where_: Logger.Metadata = ["hub": "\(job.target.ref.hub)", "package": "\(job.target.ref.id)"]
            for problem in outcome.lfsProblems {
                logger.warning("LFS object pending", metadata: where_.merging(["error": "\(problem)"]) { a, _ in a })
            }
            if outcome.interrupted {
                logger.notice("visit interrupted; it will be redone", metadata: where_)
            } else if let error = outcome.error {
                logger.error("visit failed", metadata: where_.merging(["status": "\(outcome.status.rawValue)", "error": "\(error)"]) { a, _ in a })
            } else {
                logger.info("visited", metadata: where_.merging(["eventful": "\(outcome.eventful)", "new_commits": "\(outcome.newCommits)",
                                                                 "bytes": "\(outcome.bytesReceived)", "skipped_git": "\(outcome.skippedGit)"]) { a, _ in a })
            }
            if !outcome.interrupted {
                schedule?.visited(job.target.package, job.target.ref, outcome)
            }
            events(.visitFinished(outcome, done: done() + alreadyDone, total: total))
            return outcome
        }
        let all = early + outcomes.filter { !$0.interrupted }
        if cancellation?.isRaised == true {
            var report = Report(outcomes: all, hubErrors: hubErrors)
            report.notDue = notDue
            report.interrupted = true
            return report
        }
        let now = Catalog.timestamp(clock())
        for (hub, crawlID) in crawls {
            let mine = all.filter { $0.hub == hub }
            try catalog.finishCrawl(crawlID, at: now, packages: mine.count, failed: mine.filter(\.isFailure).count,
                                    eventful: mine.filter(\.eventful).count)
        }
        var report = Report(outcomes: all, hubErrors: hubErrors)
        report.notDue = notDue
        return report
    }

    /// Asks the hub about a package it stopped listing: gone (marked deleted, a `not-found`
    /// visit), restricted (marked gated), or still there (nothing to do this crawl).
    private func checkUnlisted(_ package: PackageRecord, discovery: Discovery, crawlID: Int64) throws -> VisitOutcome {
        let started = Catalog.timestamp(clock())
        var outcome = VisitOutcome(hub: package.hub, package: package.id, status: .full, eventful: false, error: nil,
                                   objectsReceived: 0, bytesReceived: 0, newCommits: 0, newBlobs: 0, hashedBytes: 0, lostRefs: 0, snapshot: nil)
        outcome.skippedGit = true
        var record = VisitRecord(packageRowID: package.rowID, repositoryRowID: package.repositoryRowID, crawlID: crawlID,
                                 startedAt: started, finishedAt: started, status: .full, eventful: false, error: nil)
        record.skippedGit = true
        do {
            switch try discovery.lookup(package.id) {
            case .notFound?:
                try archive.catalog.markPackage(package.rowID, deleted: true)
                record.status = .notFound
                record.error = "the hub no longer has this package; its archive stays"
                outcome.deletedUpstream = true
            case .restricted(let status)?:
                try archive.catalog.markPackage(package.rowID, gated: true)
                record.status = .failed
                record.error = "the hub restricts access to this package now (HTTP \(status))"
            case .found?, nil:
                return outcome
            }
        } catch {
            record.status = .failed
            record.error = Visitor.describe(error)
        }
        record.finishedAt = Catalog.timestamp(clock())
        try archive.catalog.record(record)
        outcome.status = record.status
        outcome.error = record.error
        return outcome
    }

    /// The host (and port) of a URL, for per-host limits; local paths share one "host".
    static func host(of url: String) -> String {
        GitURL.mirrorPath(for: url).split(separator: "/").first.map(String.init) ?? "local"
    }
}

/// Decides which listed packages a crawl visits, and hears how each recorded visit ended.
/// `visited` is called on the visiting threads, several at once.
public protocol CrawlSchedule: AnyObject, Sendable {
    func isDue(_ package: PackageRecord, _ ref: PackageRef) -> Bool
    func visited(_ package: PackageRecord, _ ref: PackageRef, _ outcome: VisitOutcome)
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
        // Hugging Face's own convention: HF_TOKEN, when nothing else is configured.
        let variable = tokenEnv ?? (kind == "huggingface" && environment["HF_TOKEN"].map { !$0.isEmpty } == true ? "HF_TOKEN" : nil)
        if let variable {
            guard let token = environment[variable], !token.isEmpty else {
                throw ConfigurationError(file: "environment", key: variable, problem: "hub \"\(name)\" reads its token from $\(variable), which is not set")
            }
            return GitCredentials(username: username, password: token)
        }
        return nil
    }
}
