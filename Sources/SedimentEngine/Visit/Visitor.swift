import Foundation
import SedimentGit
import SedimentHTTP
import SedimentHubs
import SedimentNetwork
import SedimentStore

/// Brings one package up to date by running the stages of a visit (DESIGN.md steps 2, 3, 4
/// and 6): skip, fetch, refs (lost refs and head), walk, manifests, observe, record, LFS.
/// Each stage is its own type under `Stages/`; this driver passes each one's output on.
///
/// Runs synchronously on the calling thread, which must not be one of Swift's cooperative
/// threads: libgit2 blocks. Write order makes it crash-safe: blobs and manifests are made
/// durable first, the catalog rows that point at them last.
struct Visitor {
    let archive: Archive
    let options: VisitOptions
    let clock: @Sendable () -> Date
    /// This crawl's fetches: packages that share a repository share one fetch.
    var fetches = FetchCache()
    /// Raised when the daemon stops: a fetch in progress aborts and its visit is not recorded
    /// (the package stays due, so the visit is redone).
    var cancellation: CancellationFlag?
    /// With `lfs = "fetch"`: downloads the LFS objects of each visited package.
    var lfs: LFSFetcher? = nil

    struct Target {
        var ref: PackageRef
        var package: PackageRecord
        var hub: Configuration.Hub
        var credentials: GitCredentials?
        var crawlID: Int64?
    }

    private var store: any ManifestStore { archive.manifestStore }
    private var observer: ObserveStage { ObserveStage(store: store, catalog: archive.catalog, limits: options.fileLimits) }

    func visit(_ target: Target, progress: ((FetchProgress) -> Void)? = nil) -> VisitOutcome {
        FaultSwitch.crashIfAsked(visiting: target.ref.qualifiedName)
        let started = clock()
        // Real time, not the injected clock: it bounds waits on real servers.
        let deadline = Date().addingTimeInterval(options.visitTimeout)
        var outcome = VisitOutcome(hub: target.ref.hub, package: target.ref.id, status: .failed, eventful: false, error: nil,
                                   objectsReceived: 0, bytesReceived: 0, newCommits: 0, newBlobs: 0, hashedBytes: 0, lostRefs: 0, snapshot: nil)
        outcome.packageRowID = target.package.rowID
        let recorder = RecordStage(archive: archive, target: target)
        var lfsWork: LFSFetcher.Work?
        do {
            let (record, git) = try run(target, started: started, deadline: deadline, outcome: &outcome, lfsWork: &lfsWork, progress: progress)
            let t = Date()
            try recorder.write(record, git: git)
            outcome.timings.append(("record", Date().timeIntervalSince(t)))
            outcome.status = record.status
            outcome.eventful = record.eventful
            outcome.snapshot = record.snapshot?.id
            // The git archive is recorded; LFS objects come after, and their failures are
            // recorded per object, never failing the visit.
            if let lfs, let lfsWork {
                LFSStage(fetcher: lfs, network: options.network).run(lfsWork, outcome: &outcome)
            }
        } catch where cancellation?.isRaised == true {
            // Stopped mid-visit: nothing of it is recorded; the mirror holds at most objects
            // no ref points at yet, and the next visit redoes the work.
            outcome.interrupted = true
            outcome.error = "interrupted: sediment is stopping"
        } catch {
            let failure = Self.visitTimeout(error, configured: options.visitTimeout)
            var message = Self.describe(failure)
            outcome.failureCode = (failure as? CodedFailure)?.code ?? .other
            outcome.localFailure = LocalResourceFailure.matches(error)
            if outcome.localFailure {
                message += " (this machine ran out of a resource: not counted as the package's failure)"
            }
            outcome.status = FetchStage.isNotFound(error) ? .notFound : .failed
            outcome.error = message
            outcome.eventful = false
            outcome.snapshot = nil
            let failed = recorder.failed(outcome.status, error: message, objectsReceived: outcome.objectsReceived,
                                         bytesReceived: outcome.bytesReceived, started: started, finished: clock())
            do {
                try recorder.write(failed)
            } catch {
                outcome.error = message + "; and recording the failure failed: \(Self.describe(error))"
            }
        }
        return outcome
    }

    private func run(_ target: Target, started: Date, deadline: Date, outcome: inout VisitOutcome, lfsWork: inout LFSFetcher.Work?,
                     progress: ((FetchProgress) -> Void)?) throws -> (VisitRecord, GitObjects?) {
        let catalog = archive.catalog
        let recorder = RecordStage(archive: archive, target: target)
        if target.ref.repository.isEmpty {
            // A metadata-only package (the hub names no repository): keep what the hub said.
            outcome.metadataOnly = true
            let finished = clock()
            let observation = observer.unchanged(target.package, hubMetadata: target.ref.metadata, manifest: nil, repository: nil)
            return (recorder.metadataOnly(repository: nil, observation: observation, started: started, finished: finished), nil)
        }
        guard let repositoryRowID = target.package.repositoryRowID, let mirrorPath = target.package.mirrorPath else {
            throw VisitError.noRepository(target.ref.qualifiedName)
        }
        // 1. skip: the hub reports the head we archived last time; record its metadata only.
        let last = try catalog.lastSnapshot(package: target.package.rowID)
        if SkipStage(hub: target.hub).skips(target.ref, last: last), let last {
            outcome.skippedGit = true
            let finished = clock()
            let observation = observer.unchanged(target.package, hubMetadata: target.ref.metadata, manifest: last.manifest, repository: repositoryRowID)
            if let lfs {
                // Objects still pending from earlier visits are tried again without git.
                lfsWork = LFSStage(fetcher: lfs, network: options.network)
                    .pendingWork(target, manifest: last.manifest, head: last.head, mirror: archive.mirrorFolder(mirrorPath), deadline: deadline)
            }
            return (recorder.metadataOnly(repository: repositoryRowID, observation: observation, started: started, finished: finished), nil)
        }

        let url = options.network.rewrite(target.ref.repository)
        if FetchStage.isLocalPath(url), !FileManager.default.fileExists(atPath: url) {
            throw VisitError.notFound("repository \(url) does not exist")
        }
        let repository = try Repository.openOrCreateBare(at: archive.mirrorFolder(mirrorPath))
        repository.removeStaleLocks()
        let archived = try catalog.refTips(repository: repositoryRowID)
        let kind = try target.hub.kindType
        let addressPolicy = kind.urlsAreOperatorChosen ? nil : options.network.addressPolicy(forHubURL: target.ref.repository)
        var mark = Date()
        func step(_ name: String) {
            let now = Date()
            outcome.timings.append((name, now.timeIntervalSince(mark)))
            mark = now
        }

        // 2. fetch
        let request = FetchStage.Request(ref: target.ref, credentials: target.credentials, url: url, mirrorPath: mirrorPath,
                                         patterns: target.hub.refPatterns, addressPolicy: addressPolicy, deadline: deadline)
        let fetch = try FetchStage(options: options, fetches: fetches, cancellation: cancellation).run(request, into: repository, progress: progress)
        outcome.objectsReceived = fetch.receivedObjects
        outcome.bytesReceived = fetch.receivedBytes
        step("fetch")

        // Lost refs and the head.
        let refsStage = RefsStage(repository: repository)
        let refs = try refsStage.run(fetch: fetch, archived: archived, patterns: target.hub.refPatterns, branch: target.ref.branch, at: clock())
        outcome.lostRefs = refs.lost.count

        // 3. walk, on its own thread while this one builds manifests.
        let previouslyLost = try catalog.lostRefs(repository: repositoryRowID)
        let walking = WalkStage(mirror: repository.path)
            .start(tips: Array(fetch.remoteRefs.values), archived: archived, previouslyLost: previouslyLost)
        defer { _ = try? walking.wait() }
        let packageRefs = try refsStage.refs(of: target.package.scope, package: target.ref.id, fetch: fetch, headRef: refs.headRef)

        // 4. store: the manifests, durable before the catalog names them.
        let manifests = try ManifestStage(store: store, blobMaxBytes: options.blobMaxBytes)
            .run(repository: repository, refs: packageRefs, headRef: refs.headRef, scope: target.package.scope)
        defer { manifests.discard() }
        step("manifests")
        let commits = try walking.wait()
        outcome.newCommits = commits.count
        outcome.timings.append(("walk", walking.seconds))
        step("walk-wait")
        let packs = try manifests.commit()
        step("sync")
        outcome.newBlobs = manifests.newBlobs.count
        outcome.hashedBytes = manifests.hashedBytes

        // 5. observe, from the head's manifest in memory (or archived by an earlier visit).
        let head = refs.headRef.flatMap { packageRefs[$0] }.flatMap { repository.peelToCommit($0) }
        let finished = clock()
        let metadata = try head.map { try kind.metadata(target.ref.metadata, of: target.ref, in: repository, at: $0) } ?? target.ref.metadata
        let headManifest = head.flatMap { manifests.manifestOf[$0.hex] } ?? last?.manifest
        let source = headManifest.map { id in manifests.built[id].map(ObserveStage.Head.built) ?? .archived(id) } ?? .none
        // The visit's packs are durable but not indexed until its record: it reads them as well.
        let observation = ObserveStage(store: store.including(packs), catalog: archive.catalog, limits: options.fileLimits)
            .observe(target.package, hubMetadata: metadata, head: source, newCommits: commits, repository: repositoryRowID)
        outcome.warnings = ObserveStage.readingWarnings(observation)
        if let lfs {
            lfsWork = LFSStage(fetcher: lfs, network: options.network)
                .work(target, manifests: manifests, headManifest: headManifest, repository: repository, head: head, url: url, deadline: deadline)
        }

        // 6. record: a snapshot when the refs differ from the last snapshot's.
        let found = RecordStage.Found(repository: repositoryRowID, fetch: fetch, refs: refs, packageRefs: packageRefs, head: head,
                                      manifests: manifests, packs: packs, commits: commits, metadata: metadata, observation: observation)
        // The visit's new git objects, for its git pack in the store.
        let git = GitObjects(repository: repository, tips: Array(fetch.remoteRefs.values),
                             hiding: (Array(archived.values) + previouslyLost.map(\.target)).compactMap(ObjectID.init(hex:)))
        return (recorder.full(found, last: last, started: started, finished: finished), git)
    }

    /// A fetch stopped by the visit's deadline, said in the configuration's words; other
    /// errors as they are.
    static func visitTimeout(_ error: Error, configured: TimeInterval) -> Error {
        guard let timeout = error as? TransferTimeout, timeout.limit == .deadline else { return error }
        return VisitError.deadline(url: timeout.url, phase: timeout.phase.rawValue, limit: configured)
    }

    /// An error as a person reads it (every Sediment error describes itself).
    static func describe(_ error: Error) -> String {
        String(describing: error)
    }
}
