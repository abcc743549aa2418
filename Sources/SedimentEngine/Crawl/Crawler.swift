import Foundation
import Logging
import SedimentGit
import SedimentHTTP
import SedimentHubs
import SedimentStore
import Synchronization

/// Runs crawls: discovers each hub's packages, then visits them on a bounded pool of
/// dedicated threads (`daemon.concurrency`), at most `daemon.per_host_concurrency` at once
/// per host and one at a time per mirror. One failed visit never stops the others.
public struct Crawler: Sendable {
    public let archive: Archive
    public let options: CrawlOptions
    public var logger: Logger
    public var clock: @Sendable () -> Date
    /// The HTTP client of the API hubs (one per crawler: it holds the per-host limits).
    public var client: HTTPClient
    /// Where `token_env` and `HF_TOKEN` are read.
    public var environment: [String: String]

    /// `options` default to those of the archive's configuration.
    public init(archive: Archive, options: CrawlOptions? = nil, logger: Logger = Logger(label: "sediment.crawl"),
                clock: @escaping @Sendable () -> Date = { Date() }, client: HTTPClient? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        let options = options ?? CrawlOptions(archive.configuration)
        self.archive = archive
        self.options = options
        self.logger = logger
        self.clock = clock
        self.client = client ?? HTTPClient(configuration: options.http)
        self.environment = environment
    }

    /// Which packages a crawl visits: the hubs named (all when empty), and of those the
    /// packages named as `ID` or `HUB:ID` (all when empty).
    public struct Selection: Sendable {
        public var hubs: [String]
        public var packages: [String]
        /// Hubs that are not listed again: the packages an earlier listing of this process gave.
        /// Of those, the crawl visits the ones the schedule finds due, each through git (what
        /// the hub reported then, its head and metadata, is not current, so it is not used).
        public var earlierListings: [String: [PackageRef]]

        public init(hubs: [String] = [], packages: [String] = [], earlierListings: [String: [PackageRef]] = [:]) {
            self.hubs = hubs
            self.packages = packages
            self.earlierListings = earlierListings
        }
    }

    /// What a crawl did: every visit's outcome, and the hubs that could not be listed.
    public struct Report: Sendable {
        public var outcomes: [VisitOutcome]
        public var hubErrors: [String]
        /// Listed packages the schedule did not find due.
        public var notDue = 0
        /// Entries the hubs listed that could not become packages, each with the reason.
        public var skipped: [HubProblem] = []
        /// The crawl was stopped before every planned package was visited (its crawl rows end
        /// `interrupted`; the packages not visited stay due).
        public var interrupted = false
        /// Planned visits not made because the crawl was interrupted.
        public var notVisited = 0
        /// Planned visits another worker of the fleet made since this crawl began.
        public var visitedElsewhere = 0
        /// Packages this crawl found no longer listed (`HUB:ID`): marked unlisted, their archive stays.
        public var unlisted: [String] = []
        /// Listed packages not visited because they are quarantined (`HUB:ID`): they crashed
        /// the process, and their hub lists the version they crashed with.
        public var quarantined: [String] = []
        /// The packages each hub listed in this crawl (or the earlier listing it used).
        public var listings: [String: [PackageRef]] = [:]
        /// Whether anything failed (`sync` then exits 1).
        public var failed: Bool { !hubErrors.isEmpty || outcomes.contains(where: \.isFailure) }

        public init(outcomes: [VisitOutcome] = [], hubErrors: [String] = []) {
            self.outcomes = outcomes
            self.hubErrors = hubErrors
        }
    }

    /// One hub's packages for this crawl, listed now or taken from an earlier listing.
    private struct HubListing {
        var hub: Configuration.Hub
        var credentials: GitCredentials?
        var discovery: Discovery
        var result: Discovery.Result
        var earlier: Bool
        /// Listed by another worker of the fleet, lately (``Crawler/sharedListing(_:since:)``).
        var shared = false
    }

    /// One crawl now of the selected hubs; blocks the calling thread until every visit is done.
    /// A hub that cannot be listed is reported (its crawl ends `failed`) and the other hubs go on.
    ///
    /// With a `schedule`, only the packages it finds due are visited, and it hears of every
    /// recorded visit. Raising `cancellation` starts no further visit, aborts fetches in
    /// progress (those visits are not recorded) and ends the crawl `interrupted`.
    public func crawl(_ selection: Selection, schedule: CrawlSchedule? = nil, cancellation: CancellationFlag? = nil,
                      events: @escaping @Sendable (CrawlEvent) -> Void = { _ in }) throws -> Report {
        let catalog = archive.catalog
        let hubs = options.hubs.filter { selection.hubs.isEmpty || selection.hubs.contains($0.name) }
        var report = Report()
        let fetches = FetchCache()
        let fleet = self.fleet
        // Requests of this crawl stop waiting (a server's pause, a retry) when it is cancelled;
        // in a fleet, a pause a server asks of one worker holds the others back too.
        let shared = fleet.map { self.client.sharingPauses(through: CatalogHostPauses(catalog: $0.catalog)) } ?? self.client
        let client = cancellation.map { flag in shared.cancellable { flag.isRaised } } ?? shared
        let began = clock()
        // A fleet worker lists a hub holding its listing's lease, until the listing is stored.
        var listingLeases: [String] = []
        // Per hub, since when a visit by any worker stands for one of this crawl.
        var since: [String: Date] = [:]
        defer { for lease in listingLeases { fleet?.release(lease) } }

        // 1. List each hub (or take its earlier listing). A listing that fails is a failed crawl.
        var listings: [HubListing] = []
        for hub in hubs {
            if cancellation?.isRaised == true { break }
            try catalog.registerHub(name: hub.name, kind: hub.kind)
            let discovery = Discovery(archive: archive, hub: hub, fetches: fetches, client: client, environment: environment,
                                      options: options.discovery)
            // A token that cannot be read is a configuration error, not a listing failure.
            let credentials = try hub.credentials(environment: environment)
            if let earlier = selection.earlierListings[hub.name] {
                listings.append(HubListing(hub: hub, credentials: credentials, discovery: discovery,
                                           result: .init(packages: earlier, problems: [], complete: false), earlier: true))
                continue
            }
            if let fleet {
                let lease = "listing:" + hub.name
                guard try fleet.claimWaiting(lease, cancelled: { cancellation?.isRaised == true }) else { break }
                listingLeases.append(lease)
                if let shared = try sharedListing(hub, since: began) {
                    listings.append(HubListing(hub: hub, credentials: credentials, discovery: discovery,
                                               result: .init(packages: shared.refs, problems: [], complete: false), earlier: false, shared: true))
                    since[hub.name] = min(began, shared.listedAt)
                    continue
                }
            }
            let started = clock()
            do {
                let result = try discovery.discover()
                listings.append(HubListing(hub: hub, credentials: credentials, discovery: discovery, result: result, earlier: false))
            } catch where cancellation?.isRaised == true {
                // Stopped while listing (waiting for a server's pause, say): not the hub's failure.
                break
            } catch {
                let message = Visitor.describe(error)
                logger.error("hub listing failed", metadata: ["hub": "\(hub.name)", "error": "\(message)"])
                events(.problem(message))
                report.hubErrors.append(message)
                let crawlID = try catalog.beginCrawl(hub: hub.name, at: started, worker: fleet?.id)
                try RecordWriter(archive: archive).finishCrawl(crawlID, hubKind: hub.kind, at: clock(), state: .failed, packages: 0, failed: 0,
                                                               eventful: 0, error: message)
            }
        }
        func wanted(_ ref: PackageRef) -> Bool {
            selection.packages.isEmpty || selection.packages.contains(ref.id) || selection.packages.contains(ref.qualifiedName)
        }
        // A package no hub lists is an error before any crawl begins (no crawl is left open).
        let unknown = selection.packages.filter { name in
            !listings.contains { $0.result.packages.contains { $0.id == name || $0.qualifiedName == name } }
        }
        if !unknown.isEmpty {
            throw CrawlError.unknownPackages(unknown)
        }

        // 2. Begin a crawl per hub and plan its visits. A quarantined package is left alone
        // until its hub lists another version (or it is unparked).
        let quarantine = try catalog.quarantinedPackages()
        let suspects = try catalog.crashSuspects()
        var jobs: [VisitJob] = []
        var crawls: [String: Int64] = [:]
        var early: [VisitOutcome] = []
        // What a repository URL gives (its shown form, mirror and host), worked out once per
        // URL: an index's packages often share one repository.
        var derived: [String: (shown: String, mirror: String, host: String)] = [:]
        func facts(_ url: String) -> (shown: String, mirror: String, host: String) {
            if let known = derived[url] { return known }
            let found = (GitURL.redacted(url), GitURL.mirrorPath(for: url), Self.host(of: options.visit.network.rewrite(url)))
            derived[url] = found
            return found
        }
        do {
            for listing in listings {
                let hub = listing.hub
                report.listings[hub.name] = listing.result.packages
                let now = clock()
                let crawlID = try catalog.beginCrawl(hub: hub.name, at: now, listing: !listing.earlier && !listing.shared, worker: fleet?.id)
                crawls[hub.name] = crawlID
                for problem in listing.result.problems {
                    logger.warning("hub entry skipped", metadata: ["hub": "\(hub.name)", "problem": "\(problem.description)"])
                    events(.problem(problem.description))
                }
                try catalog.recordCrawlProblems(crawlID, listing.result.problems.map { ($0.item, $0.problem) })
                report.skipped += listing.result.problems
                let fromCatalog = listing.earlier || listing.shared
                let known = fromCatalog ? Dictionary(try catalog.packages(hubs: [hub.name]).map { ($0.id, $0) }) { a, _ in a } : [:]
                let refs = listing.result.packages.filter(wanted)
                // A new listing is recorded in a few transactions, not one per package.
                let upserted = fromCatalog ? [] : try catalog.upsertPackages(refs.map { ref in
                    let hasRepository = !ref.repository.isEmpty
                    return ListedPackage(id: ref.id, repositoryURL: hasRepository ? facts(ref.repository).shown : nil,
                                         mirrorPath: hasRepository ? facts(ref.repository).mirror : nil,
                                         scope: PackageScope(subpath: ref.subpath, excluded: ref.excludedPaths, card: ref.cardPath),
                                         gated: ref.gated, reportedHead: ref.reportedHead)
                }, hub: hub.name, seenAt: now)
                if let fleet, !fromCatalog, refs.count == listing.result.packages.count {
                    shareListing(hub, refs: refs, packages: upserted, at: now, worker: fleet)
                }
                for (index, ref) in refs.enumerated() {
                    let hasRepository = !ref.repository.isEmpty
                    let package: PackageRecord
                    var target = ref
                    if listing.earlier {
                        // Between listings only packages with a repository are visited, through git.
                        guard hasRepository, let record = known[ref.id], !record.deleted, !record.unlisted else { continue }
                        package = record
                        target.reportedHead = nil
                        target.metadata = nil
                    } else if listing.shared {
                        guard let record = known[ref.id], !record.deleted else { continue }
                        package = record
                    } else {
                        package = upserted[index]
                    }
                    if let held = quarantine[package.rowID], held == nil || held == RevisitPolicy.listing(of: ref) {
                        report.quarantined.append(ref.qualifiedName)
                        continue
                    }
                    if let schedule, !schedule.isDue(package, ref) {
                        report.notDue += 1
                        continue
                    }
                    jobs.append(VisitJob(target: Visitor.Target(ref: target, package: package, hub: hub, credentials: listing.credentials, crawlID: crawlID),
                                         listed: ref,
                                         host: hasRepository ? facts(ref.repository).host : "metadata-only",
                                         mirror: package.mirrorPath ?? "metadata-only:" + ref.qualifiedName))
                }
                // Packages the hub no longer lists: gone upstream, or only no longer listed (their archive stays).
                var unlisted: Set<String> = []
                if !fromCatalog && listing.result.complete && selection.packages.isEmpty {
                    let listed = Set(listing.result.packages.map(\.id))
                    for known in try catalog.packages(hubs: [hub.name]) where !known.deleted && !known.unlisted && !listed.contains(known.id) {
                        if let outcome = try checkUnlisted(known, discovery: listing.discovery, crawlID: crawlID) {
                            early.append(outcome)
                        } else {
                            report.unlisted.append(known.qualifiedName)
                            unlisted.insert(known.id)
                        }
                    }
                }
                if !fromCatalog { storeListing(crawlID, hub: hub, packages: Set(refs.map(\.id)).union(unlisted)) }
            }
            for lease in listingLeases { fleet?.release(lease) }
            listingLeases = []
        } catch {
            try? endCrawls(crawls, outcomes: early, state: .failed, error: "the crawl failed: \(Visitor.describe(error))")
            throw error
        }
        events(.planned(total: jobs.count + early.count))
        for (index, outcome) in early.enumerated() {
            events(.visitFinished(outcome, done: index + 1, total: jobs.count + early.count))
        }

        // 3. Visit.
        let lfs = options.lfs.policy.fetch
            ? LFSFetcher(archive: archive, options: options.lfs, http: client, clock: clock, cancellation: cancellation) : nil
        let visitor = Visitor(archive: archive, options: options.visit, clock: clock, fetches: fetches, cancellation: cancellation, lfs: lfs)
        let total = jobs.count + early.count
        let alreadyDone = early.count
        let logger = self.logger
        let clock = self.clock
        let visitOne: @Sendable (VisitJob, () -> Int) -> VisitOutcome = { job, done in
            let name = job.target.ref.qualifiedName
            let rowID = job.target.package.rowID
            events(.visitStarted(package: name))
            CrashMarker.prepareThread()
            // Recorded before the visit starts: should it crash the process, the next process
            // to open the archive knows which package was in flight.
            try? catalog.visitStarted(package: rowID, crawl: job.target.crawlID, at: clock(),
                                      listing: RevisitPolicy.listing(of: job.listed), worker: fleet?.id)
            let outcome = visitor.visit(job.target) { progress in events(.fetchProgress(package: name, progress)) }
            if !outcome.interrupted && !outcome.localFailure {
                // The visit ran to its end without crashing: the package is not the cause.
                try? catalog.visitCompleted(package: rowID)
            }
            try? catalog.visitEnded(package: rowID)
            let where_: Logger.Metadata = ["hub": "\(job.target.ref.hub)", "package": "\(job.target.ref.id)"]
            for warning in outcome.warnings {
                logger.warning("file unparseable", metadata: where_.merging(["problem": "\(warning)"]) { a, _ in a })
            }
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
                schedule?.visited(job.target.package, job.listed, outcome)
            }
            events(.visitFinished(outcome, done: done() + alreadyDone, total: total))
            return outcome
        }
        // In a fleet, a visit first takes its leases; one another worker holds is tried again
        // in a later round, and one another worker made since this crawl began is not made.
        let visited = Mutex(0)
        let visitedSince = since
        let attempt: @Sendable (VisitJob, () -> Int) -> FleetAttempt = { job, done in
            let count = { () -> Int in _ = done(); return visited.withLock { $0 += 1; return $0 } }
            guard let fleet else { return .visited(visitOne(job, count)) }
            switch self.enter(job, worker: fleet, since: visitedSince[job.target.ref.hub] ?? began, cancellation: cancellation) {
            case .held:
                _ = done()
                return .held(job)
            case .visitedElsewhere:
                _ = done()
                return .elsewhere
            case .go(let leases):
                defer { for lease in leases { fleet.release(lease) } }
                self.restoreMirror(job)
                return .visited(visitOne(job, count))
            }
        }
        // Packages in flight when a process last crashed are visited first, one at a
        // time and alone: should one crash the process again, it alone is counted a second
        // crash (and quarantined), not the packages that happened to be visited beside it.
        let alone = jobs.filter { suspects.contains($0.target.package.rowID) }
        let together = jobs.filter { !suspects.contains($0.target.package.rowID) }
        for job in alone {
            logger.notice("visiting alone: a visit of it was in progress when the process last crashed",
                          metadata: ["hub": "\(job.target.ref.hub)", "package": "\(job.target.ref.id)"])
        }
        var attempts = VisitPool(jobs: alone, concurrency: 1, perHost: 1, cancellation: cancellation).run(attempt)
        var pending = attempts.compactMap(\.held) + (fleet.map { fleetOrder(together, worker: $0) } ?? together)
        var round = 0
        while !pending.isEmpty && cancellation?.isRaised != true {
            // The holder of a repository is visiting it: it is soon free again (or visited).
            if round > 0 { Thread.sleep(forTimeInterval: min(0.25, WorkerSession.renewal)) }
            let pool = VisitPool(jobs: pending, concurrency: options.concurrency, perHost: options.perHostConcurrency,
                                 cancellation: cancellation)
            let results = pool.run(attempt)
            attempts += results.filter { $0.held == nil }
            pending = results.compactMap(\.held)
            round += 1
        }
        let outcomes = attempts.compactMap(\.outcome)
        report.visitedElsewhere = attempts.filter(\.isElsewhere).count
        let all = early + outcomes.filter { !$0.interrupted }
        report.outcomes = all
        let interrupted = cancellation?.isRaised == true
        if interrupted {
            report.interrupted = true
            report.notVisited = jobs.count - outcomes.filter { !$0.interrupted }.count - report.visitedElsewhere
        }
        try endCrawls(crawls, outcomes: all, state: interrupted ? .interrupted : .finished)
        return report
    }

    /// Ends each hub's crawl with its totals.
    private func endCrawls(_ crawls: [String: Int64], outcomes: [VisitOutcome], state: CrawlState, error: String? = nil) throws {
        let now = clock()
        for (hub, crawlID) in crawls {
            let mine = outcomes.filter { $0.hub == hub }
            try RecordWriter(archive: archive).finishCrawl(crawlID, hubKind: options.hubs.first { $0.name == hub }?.kind ?? "", at: now, state: state,
                                                           packages: mine.count, failed: mine.filter(\.isFailure).count,
                                                           eventful: mine.filter(\.eventful).count, error: error)
        }
    }

    /// The host (and port) of a URL, for per-host limits; local paths share one "host".
    static func host(of url: String) -> String {
        GitURL.mirrorPath(for: url).split(separator: "/").first.map(String.init) ?? "local"
    }
}
