import Foundation
import SedimentGit
import SedimentHTTP
import SedimentHubs
import SedimentStore

/// Brings one package up to date: fetch, keep lost refs, walk new commits, build manifests,
/// then record everything in one catalog transaction (DESIGN.md steps 2, 3, 4 and 6).
///
/// Runs synchronously on the calling thread, which must not be one of Swift's cooperative
/// threads: libgit2 blocks. Write order makes it crash-safe: blobs and manifests are made
/// durable first, the catalog rows that point at them last.
struct Visitor {
    let archive: Archive
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

    func visit(_ target: Target, progress: ((FetchProgress) -> Void)? = nil) -> VisitOutcome {
        FaultSwitch.crashIfAsked(visiting: target.ref.qualifiedName)
        let started = Catalog.timestamp(clock())
        // Real time, not the injected clock: it bounds waits on real servers.
        let deadline = Date().addingTimeInterval(archive.configuration.daemon.visitTimeout)
        var outcome = VisitOutcome(hub: target.ref.hub, package: target.ref.id, status: .failed, eventful: false, error: nil,
                                   objectsReceived: 0, bytesReceived: 0, newCommits: 0, newBlobs: 0, hashedBytes: 0, lostRefs: 0, snapshot: nil)
        outcome.packageRowID = target.package.rowID
        var lfsWork: LFSFetcher.Work?
        do {
            let record = try run(target, started: started, deadline: deadline, outcome: &outcome, lfsWork: &lfsWork, progress: progress)
            let t = Date()
            try archive.catalog.record(record)
            outcome.timings.append(("record", Date().timeIntervalSince(t)))
            outcome.status = record.status
            outcome.eventful = record.eventful
            // The git archive is recorded; LFS objects come after, and their failures are
            // recorded per object, never failing the visit.
            if let lfs, let lfsWork {
                let t = Date()
                let report = lfs.run(lfsWork)
                outcome.timings.append(("lfs", Date().timeIntervalSince(t)))
                outcome.lfsStored = report.stored
                outcome.lfsStoredBytes = report.storedBytes
                outcome.lfsDeduplicated = report.deduplicated
                outcome.lfsPending = report.pending
                outcome.lfsProblems = report.problems
                // Stopped mid-download: the package stays due, so the next start resumes them.
                outcome.interrupted = report.cancelled
            }
        } catch where cancellation?.isRaised == true {
            // Stopped mid-visit: nothing of it is recorded; the mirror holds at most objects
            // no ref points at yet, and the next visit redoes the work.
            outcome.interrupted = true
            outcome.error = "interrupted: sediment is stopping"
        } catch {
            var message = Self.describe(Self.visitTimeout(error, configured: archive.configuration.daemon.visitTimeout))
            outcome.localFailure = LocalResourceFailure.matches(error)
            if outcome.localFailure {
                message += " (this machine ran out of a resource: not counted as the package's failure)"
            }
            outcome.status = Self.isNotFound(error) ? .notFound : .failed
            outcome.error = message
            outcome.eventful = false
            outcome.snapshot = nil
            var failed = VisitRecord(packageRowID: target.package.rowID, repositoryRowID: target.package.repositoryRowID, crawlID: target.crawlID,
                                     startedAt: started, finishedAt: Catalog.timestamp(clock()), status: outcome.status, eventful: false, error: message,
                                     objectsReceived: outcome.objectsReceived, bytesReceived: outcome.bytesReceived)
            failed.refTips = nil
            failed.metadata = target.ref.metadata
            do {
                try archive.catalog.record(failed)
            } catch {
                outcome.error = message + "; and recording the failure failed: \(Self.describe(error))"
            }
        }
        return outcome
    }

    private func run(_ target: Target, started: String, deadline: Date, outcome: inout VisitOutcome, lfsWork: inout LFSFetcher.Work?,
                     progress: ((FetchProgress) -> Void)?) throws -> VisitRecord {
        let catalog = archive.catalog
        let configuration = archive.configuration
        if target.ref.repository.isEmpty {
            // A metadata-only package (the hub names no repository): keep what the hub said.
            outcome.metadataOnly = true
            var record = metadataVisit(target, repository: nil, started: started)
            record.observation = unchangedObservation(target, manifest: nil, repository: nil)
            return record
        }
        guard let repositoryRowID = target.package.repositoryRowID, let mirrorPath = target.package.mirrorPath else {
            throw VisitError.noRepository(target.ref.qualifiedName)
        }
        // 1. skip: the hub reports the head we archived last time; record its metadata only.
        let last = try catalog.lastSnapshot(package: target.package.rowID)
        if target.hub.skipUnchanged, let reported = target.ref.reportedHead, let last, last.head == reported, last.headRef != nil {
            outcome.skippedGit = true
            var record = metadataVisit(target, repository: repositoryRowID, started: started)
            record.observation = unchangedObservation(target, manifest: last.manifest, repository: repositoryRowID)
            if lfs != nil {
                // Objects still pending from earlier visits are tried again without git.
                let head = last.head.flatMap(ObjectID.init(hex:))
                let folder = archive.mirrorFolder(mirrorPath)
                lfsWork = LFSFetcher.Work(package: target.package.rowID, manifestIDs: last.manifest.map { [$0] } ?? [],
                                          repositoryURL: configuration.rewrite(target.ref.repository),
                                          configuredURL: { (try? Repository.open(at: folder)).flatMap { lfsConfiguredURL($0, head: head) } },
                                          credentials: target.credentials, deadline: deadline)
            }
            return record
        }

        let url = configuration.rewrite(target.ref.repository)
        if Self.isLocalPath(url), !FileManager.default.fileExists(atPath: url) {
            throw VisitError.notFound("repository \(url) does not exist")
        }
        let repository = try Repository.openOrCreateBare(at: archive.mirrorFolder(mirrorPath))
        repository.removeStaleLocks()
        let archived = try catalog.refTips(repository: repositoryRowID)
        let patterns = target.hub.refPatterns
        // A `git` hub's URLs are the operator's; other hubs name repositories in their data.
        let addressPolicy = target.hub.kind == "git" ? nil : configuration.addressPolicy(forHubURL: target.ref.repository)

        // 2. fetch
        var mark = Date()
        func step(_ name: String) {
            let now = Date()
            outcome.timings.append((name, now.timeIntervalSince(mark)))
            mark = now
        }
        let fetch: FetchResult
        if let earlier = fetches.result(for: mirrorPath) {
            var again = earlier
            again.updates = []
            again.receivedObjects = 0
            again.receivedBytes = 0
            again.indexedObjects = 0
            fetch = again
        } else {
            do {
                fetch = try withRetries {
                    try repository.fetch(url: url, patterns: patterns, credentials: target.credentials, progress: progress,
                                         cancellation: cancellation,
                                         limits: configuration.transferLimits(deadline: deadline, addressPolicy: addressPolicy))
                }
            } catch let error as GitError where target.ref.gated && error.message.contains("authentication") {
                throw VisitError.gated(target.ref.qualifiedName, credentials: target.credentials != nil, detail: error.message)
            }
            fetches.store(fetch, for: mirrorPath)
        }
        outcome.objectsReceived = fetch.receivedObjects
        outcome.bytesReceived = fetch.receivedBytes
        step("fetch")
        let now = Catalog.timestamp(clock())

        // Keep every rewritten or deleted tip, judged against what the catalog archived
        // (not the mirror's refs, which an interrupted visit may already have moved).
        var lost: [LostRef] = []
        for (name, old) in archived.sorted(by: { $0.key < $1.key }) {
            let new = fetch.remoteRefs[name]
            guard new?.hex != old else { continue }
            guard let oldID = ObjectID(hex: old) else { continue }
            if let new {
                let oldCommit = repository.peelToCommit(oldID), newCommit = repository.peelToCommit(new)
                if let oldCommit, let newCommit, repository.isDescendant(newCommit, of: oldCommit) { continue }
                if oldCommit == nil && newCommit == nil && !name.hasPrefix("refs/tags/") { continue }
            }
            let archivedAs = "refs/sediment/lost/\(old)/\(name.dropFirst("refs/".count))"
            try repository.setReference(archivedAs, to: oldID, message: "sediment: keep \(name) lost upstream")
            lost.append(LostRef(name: name, archivedAs: archivedAs, target: old, replacedBy: new?.hex,
                                reason: new == nil ? "deleted" : "forced", lostAt: now))
        }
        // Refs gone upstream leave the mirror's mirrored namespace (kept above as lost refs).
        for (name, _) in try repository.references(prefixes: ["refs/"]) where patterns.matches(name) && fetch.remoteRefs[name] == nil {
            try repository.deleteReference(name)
        }
        outcome.lostRefs = lost.count

        // The head: the branch the hub names for the package, else the one the remote's HEAD
        // names, else main, master, or the first branch.
        let branches = fetch.remoteRefs.keys.filter { $0.hasPrefix("refs/heads/") }.sorted()
        let headRef = [target.ref.branch.map { "refs/heads/" + $0 }, fetch.defaultBranch, "refs/heads/main", "refs/heads/master"]
            .compactMap { $0 }.first { fetch.remoteRefs[$0] != nil } ?? branches.first
        // The mirror's HEAD follows the remote's (packages sharing a mirror may have other heads).
        if let mirrorHead = fetch.defaultBranch.flatMap({ fetch.remoteRefs[$0] != nil ? $0 : nil }) ?? headRef {
            try repository.setHead(mirrorHead)
        }

        // 3. walk, on its own thread while this one builds manifests: commits reachable from
        // the new tips, hiding every tip archived before.
        let previouslyLost = try catalog.lostRefs(repository: repositoryRowID).compactMap { ObjectID(hex: $0.target) }
        let walk = HistoryWalk(mirror: repository.path, tips: Array(fetch.remoteRefs.values),
                               hidden: archived.values.compactMap(ObjectID.init(hex:)) + previouslyLost)
        let walking = BlockingJob { try walk.run() }
        defer { _ = try? walking.wait() }

        // A package in a subpath of a shared repository: its head is the last commit that
        // touched the subpath, and its refs are just that head (other packages' commits are
        // not its changes).
        var packageRefs = fetch.remoteRefs
        let scope = target.package.scope
        if scope.isNarrowed {
            let what = scope.isWholeSubpath ? scope.subpath : "a file of \(target.ref.id)"
            guard let headRef, let branchHead = fetch.remoteRefs[headRef].flatMap(repository.peelToCommit) else {
                throw VisitError.notFound("the repository has no branch to hold \(what)")
            }
            guard let subpathHead = try repository.lastCommit(touching: scope.treeSelection, from: branchHead) else {
                throw VisitError.notFound("no \(what) is in the repository at \(headRef) (\(branchHead.short))")
            }
            packageRefs = [headRef: subpathHead]
        }

        // 4. store: a manifest for every tip commit that has none yet, the head's first.
        let batch = try archive.blobs.batch()
        defer { batch.discard() }
        let builder = ManifestBuilder(repository: repository, catalog: catalog, batch: batch, blobMaxBytes: configuration.storage.blobMaxBytes)
        var manifests: [ManifestRecord] = []
        var built: [Manifest] = []   // kept for LFS only
        var manifestOf: [String: ContentID] = [:]
        let tipNames = (headRef.map { [$0] } ?? []) + packageRefs.keys.sorted().filter { $0 != headRef }
        for name in tipNames {
            guard let tip = packageRefs[name], let commit = repository.peelToCommit(tip), manifestOf[commit.hex] == nil else { continue }
            if let existing = try catalog.manifestID(commit: commit.hex, subpath: scope.manifestKey) {
                manifestOf[commit.hex] = existing
                continue
            }
            let (manifest, id) = try builder.manifest(of: commit, scope: scope)
            manifestOf[commit.hex] = id
            manifests.append(ManifestRecord(id: id, commit: commit.hex, subpath: scope.manifestKey, manifest: manifest))
            if lfs != nil { built.append(manifest) }
        }
        step("manifests")
        let commits = try walking.wait()
        outcome.newCommits = commits.count
        outcome.timings.append(("walk", walking.seconds))
        step("walk-wait")
        try batch.commit()
        step("sync")
        outcome.newBlobs = builder.newBlobs.count
        outcome.hashedBytes = builder.hashedBytes

        // 6. record: a snapshot when the refs differ from the last snapshot's.
        let refs = packageRefs.mapValues(\.hex)
        let headCommit = headRef.flatMap { packageRefs[$0] }.flatMap { repository.peelToCommit($0) }
        let finished = Catalog.timestamp(clock())
        var record = VisitRecord(packageRowID: target.package.rowID, repositoryRowID: repositoryRowID, crawlID: target.crawlID,
                                 startedAt: started, finishedAt: finished, status: .full, eventful: false, error: nil,
                                 objectsReceived: fetch.receivedObjects, bytesReceived: fetch.receivedBytes)
        record.commits = commits
        record.blobs = Array(builder.newBlobs.values)
        record.manifests = manifests
        record.refTips = fetch.remoteRefs.mapValues(\.hex)
        record.defaultBranch = fetch.defaultBranch ?? headRef
        record.lostRefs = lost
        record.metadata = try metadata(of: target, head: headCommit, repository: repository)
        var observed = target
        observed.ref.metadata = record.metadata
        record.observation = observation(observed, manifest: headCommit.flatMap { manifestOf[$0.hex] } ?? last?.manifest,
                                         newCommits: commits, repository: repositoryRowID)
        outcome.warnings = record.observation.map(Self.readingWarnings) ?? []
        if lfs != nil {
            let headManifest = headCommit.flatMap { manifestOf[$0.hex] } ?? last?.manifest
            let fresh = Set(manifests.map(\.id))
            lfsWork = LFSFetcher.Work(package: target.package.rowID, manifests: built,
                                      manifestIDs: headManifest.map { fresh.contains($0) ? [] : [$0] } ?? [],
                                      repositoryURL: url, configuredURL: { lfsConfiguredURL(repository, head: headCommit) },
                                      credentials: target.credentials, deadline: deadline)
        }
        if last?.refs != refs || last?.headRef != headRef {
            let state = SnapshotState(hub: target.ref.hub, package: target.ref.id, head: headCommit?.hex,
                                      manifest: headCommit.flatMap { manifestOf[$0.hex] },
                                      metadata: target.ref.metadata.map { ContentID.of(Data($0.utf8)) }, refs: refs)
            let snapshot = SnapshotRecord(id: state.id, takenAt: finished, head: headCommit?.hex, headRef: headRef,
                                          manifest: state.manifest, refs: refs)
            record.snapshot = snapshot
            record.eventful = true
            outcome.snapshot = snapshot.id
        }
        return record
    }

    /// The `lfs.url` that the repository's `.lfsconfig` names at `head`, after `[[rewrite]]` rules.
    private func lfsConfiguredURL(_ repository: Repository, head: ObjectID?) -> String? {
        guard let head, let data = try? repository.readFile(".lfsconfig", at: head),
              let url = LFSEndpoint.configuredURL(lfsconfig: String(decoding: data, as: UTF8.self)) else { return nil }
        return archive.configuration.rewrite(url)
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

    /// An uneventful visit that touches no git and keeps the hub's metadata.
    private func metadataVisit(_ target: Target, repository: Int64?, started: String) -> VisitRecord {
        var record = VisitRecord(packageRowID: target.package.rowID, repositoryRowID: repository, crawlID: target.crawlID,
                                 startedAt: started, finishedAt: Catalog.timestamp(clock()), status: .full, eventful: false, error: nil)
        record.metadata = target.ref.metadata
        record.skippedGit = true
        return record
    }

    /// Runs a fetch again when the server answered 429 or 5xx, timed out or dropped the connection, up to
    /// `[http] max_attempts` in all, with exponential backoff and jitter; other errors are
    /// final at once. Nothing is written to the mirror by a failed fetch.
    private func withRetries<T>(_ body: () throws -> T) throws -> T {
        let policy = RetryPolicy(maxAttempts: archive.configuration.http.maxAttempts, baseDelay: archive.configuration.http.backoff)
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try body()
            } catch let error as GitError where attempt < policy.maxAttempts && Self.isTransient(error) && cancellation?.isRaised != true {
                Thread.sleep(forTimeInterval: policy.backoff(after: attempt))
            } catch let error as TransferTimeout where attempt < policy.maxAttempts && error.limit != .deadline && cancellation?.isRaised != true {
                // A silent connection or server: tried again, within the visit's deadline.
                Thread.sleep(forTimeInterval: policy.backoff(after: attempt))
            }
        }
    }

    /// Whether a fetch error is worth retrying: a 429 or 5xx answer, a timeout, or a
    /// connection that broke in the middle of a transfer.
    static func isTransient(_ error: GitError) -> Bool {
        let text = error.message.lowercased()
        if let range = text.range(of: "status code: ") {
            let code = Int(text[range.upperBound...].prefix(3)) ?? 0
            return code == 429 || (500...599).contains(code)
        }
        let broken = ["timed out", "timeout", "stream ended at an unexpected time", "early eof", "unexpected eof",
                      "connection reset", "broken pipe", "unexpected disconnect"]
        return broken.contains { text.contains($0) }
    }

    /// The hub's metadata, plus what the package's files say that the hub's kind asks for
    /// (PyTorch Hub: the entry points of `hubconf.py`).
    private func metadata(of target: Target, head: ObjectID?, repository: Repository) throws -> String? {
        guard target.hub.kind == "pytorch-hub", let head else { return target.ref.metadata }
        var object = target.ref.metadata.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } ?? [:]
        let path = target.ref.subpath.isEmpty ? "hubconf.py" : target.ref.subpath + "/hubconf.py"
        object["hubconf_entrypoints"] = try repository.readFile(path, at: head).map(HubconfEntrypoints.parse) ?? NSNull()
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return target.ref.metadata }
        return String(decoding: data, as: UTF8.self)
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
        guard let git = error as? GitError else { return false }
        let text = git.message.lowercased()
        return text.contains("404") || text.contains("not found") || text.contains("does not appear to be a git repository")
            || text.contains("could not find repository") || text.contains("no such repository") || text.contains("failed to resolve path")
    }
}

/// Problems of a visit that are not libgit2's.
enum VisitError: Error, CustomStringConvertible {
    case noRepository(String)
    case notFound(String)
    case gated(String, credentials: Bool, detail: String)
    /// The visit's deadline (`daemon.visit_timeout`) passed while it waited on `url`.
    case deadline(url: String, phase: String, limit: TimeInterval)

    var description: String {
        switch self {
        case .noRepository(let name): return "\(name) has no repository to fetch"
        case .notFound(let what): return what
        case .gated(let name, let credentials, let detail):
            return credentials
                ? "\(name) is gated and the configured token was refused (\(detail)); accept the model's conditions on the hub with that account"
                : "\(name) is gated: the hub requires an access token (set token_file or token_env for this hub)"
        case .deadline(let url, let phase, let limit):
            return "timed out (\(phase)): the visit took longer than daemon.visit_timeout (\(TransferTimeout.format(limit))) while fetching \(url); abandoned"
        }
    }
}
