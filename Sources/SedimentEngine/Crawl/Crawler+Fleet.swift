import Foundation
import SedimentGit
import SedimentHTTP
import SedimentHubs
import SedimentRedaction
import SedimentStore
import Synchronization

/// A crawl when several workers share the catalog and the store (a fleet): one worker lists a
/// hub at a time and stores the listing for the others; each visit is made by the worker that
/// holds its repository's lease, at most `per_host_concurrency` at once per host across the
/// fleet; a package another worker visited since the crawl began is not visited again.
extension Crawler {
    /// How long a listing another worker stored stands in for a new one: a worker that finds
    /// one this recent (or made since its crawl began) visits from it instead of listing again.
    static let sharedListingAge: TimeInterval = 60

    /// This process as a worker of a fleet; nil when it writes to the archive alone.
    var fleet: WorkerSession? {
        archive.worker.flatMap { $0.fleet ? $0 : nil }
    }

    /// The listing of `hub` another worker stored since `began` (or in the last
    /// ``sharedListingAge`` seconds), with when it was made; nil when there is none that recent.
    func sharedListing(_ hub: Configuration.Hub, since began: Date) throws -> (refs: [PackageRef], listedAt: Date)? {
        guard let listed = try archive.catalog.hubListedAt(hub.name),
              listed >= began || Date().timeIntervalSince(listed) < Self.sharedListingAge else { return nil }
        return (try storedListing(hub), listed)
    }

    /// The latest listing of `hub` a worker stored. A repository URL was stored without its
    /// credentials: it is taken back from this worker's `repositories` when one matches, and
    /// its package left out otherwise (it is visited by a worker that lists the hub).
    func storedListing(_ hub: Configuration.Hub) throws -> [PackageRef] {
        let withCredentials = Dictionary(hub.repositories.map { (GitURL.redacted($0), $0) }) { first, _ in first }
        let decoder = JSONDecoder()
        return try archive.catalog.listedRefs(hub: hub.name).compactMap { text in
            guard var ref = try? decoder.decode(PackageRef.self, from: Data(text.utf8)) else { return nil }
            if let original = withCredentials[ref.repository] { ref.repository = original }
            if ref.repository.contains(Redaction.mask + "@") {
                logger.warning("package left to a worker that lists the hub: its repository URL holds credentials",
                               metadata: ["hub": "\(hub.name)", "package": "\(ref.id)"])
                return nil
            }
            return ref
        }
    }

    /// Stores the listing of `hub` this worker just made, each package's URL without its
    /// credentials, for the other workers.
    func shareListing(_ hub: Configuration.Hub, refs: [PackageRef], packages: [PackageRecord], at date: Date, worker: WorkerSession) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var rows: [(package: Int64, ref: String)] = []
        for (ref, package) in zip(refs, packages) {
            var shown = ref
            shown.repository = GitURL.redacted(ref.repository)
            guard let data = try? encoder.encode(shown) else { continue }
            rows.append((package.rowID, String(decoding: data, as: UTF8.self)))
        }
        do {
            try archive.catalog.storeListing(hub: hub.name, at: date, worker: worker.id, refs: rows)
        } catch {
            logger.error("the listing could not be shared with the other workers", metadata: ["hub": "\(hub.name)", "error": "\(Visitor.describe(error))"])
        }
    }

    /// Whether a visit may start now in the fleet.
    enum FleetGate {
        /// This worker holds these leases for the visit (released when it ends).
        case go([String])
        /// Another worker holds the repository now: try again later.
        case held
        /// Another worker visited the package since this crawl began.
        case visitedElsewhere
    }

    /// Takes the leases a visit of `job` needs: its repository's, then a slot on its host
    /// (waiting for one). A visit that ended after `since` (when this crawl began, or when the
    /// listing it visits from was made) stands for this one.
    func enter(_ job: VisitJob, worker: WorkerSession, since: Date, cancellation: CancellationFlag?) -> FleetGate {
        let visit = "visit:" + job.mirror
        do {
            guard try worker.claim(visit) else { return .held }
            // Claimed: whether it is still to be done is read again, now that no one else can do it.
            if let last = try archive.catalog.lastVisitFinished(package: job.target.package.rowID), last >= since {
                worker.release(visit)
                return .visitedElsewhere
            }
            guard job.host != "metadata-only" else { return .go([visit]) }
            let slots = max(1, options.perHostConcurrency)
            while cancellation?.isRaised != true {
                // From a slot of chance: claims of workers starting together rarely meet.
                let first = Int.random(in: 0..<slots)
                for n in 0..<slots {
                    let resource = "host:\(job.host)#\((first + n) % slots)"
                    if try worker.claim(resource) { return .go([visit, resource]) }
                }
                Thread.sleep(forTimeInterval: Double.random(in: 0.05...0.15))
            }
            worker.release(visit)
            return .held
        } catch {
            logger.error("a lease could not be taken; the visit is left for later",
                         metadata: ["package": "\(job.target.ref.qualifiedName)", "error": "\(Visitor.describe(error))"])
            worker.release(visit)
            return .held
        }
    }

    /// The order a fleet worker visits in: repositories it has a mirror of first (they cost
    /// the least here), the rest starting at a place of its own so that workers starting
    /// together do not all reach for the same repositories.
    func fleetOrder(_ jobs: [VisitJob], worker: WorkerSession) -> [VisitJob] {
        var mirrored: [VisitJob] = [], rest: [VisitJob] = []
        for job in jobs {
            if FileManager.default.fileExists(atPath: archive.mirrorFolder(job.mirror)) { mirrored.append(job) } else { rest.append(job) }
        }
        guard !rest.isEmpty else { return mirrored }
        let start = Int(UInt(bitPattern: worker.id.utf8.reduce(5381) { ($0 &* 33) &+ Int($1) }) % UInt(rest.count))
        return mirrored + Array(rest[start...] + rest[..<start])
    }

    /// Before a worker visits a repository it has no mirror of, but that other workers
    /// archived: the mirror is rebuilt from the git packs in the store and the refs in the
    /// catalog, so the visit fetches only what is new upstream instead of everything again.
    /// Returns the packs indexed; nil when there was nothing to restore, or it failed (the
    /// half-made mirror is removed and the visit clones as on a first visit).
    @discardableResult
    func restoreMirror(_ job: VisitJob) -> Int? {
        let target = job.target.package
        guard let mirror = target.mirrorPath, let repository = target.repositoryRowID else { return nil }
        let folder = archive.mirrorFolder(mirror)
        guard !FileManager.default.fileExists(atPath: folder) else { return nil }
        do {
            guard let archived = try archive.catalog.archivedRefs(repository: repository), !archived.refs.isEmpty else { return nil }
            var plan = MirrorPlan()
            plan.refs = archived.refs
            try archive.blobs.listFiles(prefix: StoredRecords.git + StoredRecords.mirrorKey(repository: archived.url) + "/") { name, _ in
                if name.hasSuffix(".pack") { plan.packs.append(name) }
            }
            var problems: [String] = []
            let indexed = try MirrorRebuild(blobs: archive.blobs, mirrorsPath: archive.configuration.mirrorsPath,
                                            temporary: archive.configuration.storage.path + "/mirror-restore.tmp").rebuild(mirror, plan, problems: &problems)
            guard problems.isEmpty else { throw MirrorRestoreError(problems: problems) }
            logger.info("mirror restored from the store", metadata: ["package": "\(job.target.ref.qualifiedName)", "git_packs": "\(indexed)"])
            return indexed
        } catch {
            try? FileManager.default.removeItem(atPath: folder)
            logger.warning("the mirror could not be restored from the store; the visit fetches everything again",
                           metadata: ["package": "\(job.target.ref.qualifiedName)", "error": "\(Visitor.describe(error))"])
            return nil
        }
    }
}

/// A mirror rebuilt from the store lacks objects its refs name.
struct MirrorRestoreError: Error, CustomStringConvertible {
    var problems: [String]
    var description: String { problems.prefix(3).joined(separator: "; ") + (problems.count > 3 ? " (and \(problems.count - 3) more)" : "") }
}

/// The host pauses of a fleet, kept in the catalog: a rate limit one worker was told of
/// holds every worker back. What the catalog says of a host is read at most once a second.
final class CatalogHostPauses: SharedHostPauses {
    private let catalog: Catalog
    private let known = Mutex<[String: (until: Date?, readAt: Date)]>([:])

    init(catalog: Catalog) {
        self.catalog = catalog
    }

    func pause(_ host: String, until date: Date) {
        try? catalog.pauseHost(host, until: date)
        known.withLock { $0[host] = (date, Date()) }
    }

    func pausedUntil(_ host: String) -> Date? {
        let now = Date()
        if let cached = known.withLock({ $0[host] }), now.timeIntervalSince(cached.readAt) < 1 { return cached.until }
        let until = try? catalog.hostPausedUntil(host)
        known.withLock { $0[host] = (until, now) }
        return until
    }
}

/// What became of one planned visit in a crawl.
enum FleetAttempt: Sendable {
    case visited(VisitOutcome)
    /// Another worker held its repository: tried again in a later round.
    case held(VisitJob)
    /// Another worker visited the package since the crawl began.
    case elsewhere

    var outcome: VisitOutcome? {
        if case .visited(let outcome) = self { return outcome }
        return nil
    }

    var held: VisitJob? {
        if case .held(let job) = self { return job }
        return nil
    }

    var isElsewhere: Bool {
        if case .elsewhere = self { return true }
        return false
    }
}
