import Foundation
import SedimentGit
import SedimentHTTP
import SedimentNetwork
import SedimentStore

/// Keeps the LFS objects packages point at (`lfs = "fetch"`): queues the objects of a
/// visit's manifests that the ``LFSPolicy`` selects, then downloads what the package still
/// waits for, straight into the blob store (``PartialBlob``: hashed on the fly, resumed with
/// HTTP `Range` after an interruption, stored under its oid only when it matches).
///
/// An object already stored (for any package of any hub) is never downloaded again; it is
/// the pointer's object only when its size is the pointer's size too (a pointer naming a
/// stored oid with another size is false: it stays pending with that reason). A failure is
/// per object: it stays in `lfs_pending` with its reason, is retried at the package's next
/// visit, and never fails the visit. A blob store short of free space (``FreeSpace``) stops
/// the downloads: what is left waits, with the reason, and no attempt is counted.
/// Runs on the visit's thread.
final class LFSFetcher: Sendable {
    let archive: Archive
    let options: LFSOptions
    let client: LFSClient
    let policy: LFSPolicy
    let retry: RetryPolicy
    let clock: @Sendable () -> Date
    let inFlight = InFlightObjects()
    let space: FreeSpace
    /// Raised when the daemon stops: downloads stop at their next chunk, nothing more is
    /// recorded, and partial objects stay to be resumed with `Range` at the next visit.
    let cancellation: CancellationFlag?

    init(archive: Archive, options: LFSOptions, http: HTTPClient, clock: @escaping @Sendable () -> Date = { Date() },
         cancellation: CancellationFlag? = nil) {
        self.archive = archive
        self.options = options
        self.clock = clock
        self.cancellation = cancellation
        client = LFSClient(http: http, clock: clock)
        policy = options.policy
        space = FreeSpace(store: archive.blobs, reserve: options.freeSpaceReserve)
        retry = options.retry
    }

    private func checkCancellation() throws {
        if cancellation?.isRaised == true { throw Cancelled() }
    }

    private func checkDeadline(_ work: Work) throws {
        if let deadline = work.deadline, deadline <= Date() { throw DeadlinePassed(limit: options.visitTimeout) }
    }

    /// A failed attempt at one object: the reason recorded in `lfs_pending`.
    struct ObjectFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// What the blob store holds under an object's oid.
    enum Holding {
        case absent
        /// The object, of the size the pointer gives.
        case object
        /// Content of another size: the pointer's size is false.
        case otherSize(Int64)
    }

    func holding(_ object: LFSPendingRecord) -> Holding {
        guard let size = archive.blobs.size(of: object.oid) else { return .absent }
        return size == object.size ? .object : .otherSize(size)
    }

    static func falseSize(_ object: LFSPendingRecord, stored: Int64) -> String {
        "the pointer gives the object \(object.size) bytes, but the content with its oid, already in the blob store, "
            + "has \(stored): the pointer's size is false, so no object can match it"
    }

    func run(_ work: Work) -> Report {
        var report = Report()
        guard policy.fetch else { return report }
        do {
            try fetch(work, report: &report)
        } catch is Cancelled {
            // Stopped: what is pending stays pending, with no new reason.
            report.cancelled = true
        } catch let error as DeadlinePassed {
            report.problems.append("LFS: \(error)")
        } catch {
            report.problems.append("LFS: \(error)")
        }
        report.pending = (try? archive.catalog.pendingLFS(package: work.package).count) ?? report.pending
        return report
    }

    private func fetch(_ work: Work, report: inout Report) throws {
        let catalog = archive.catalog
        // 1. queue what the manifests point at and the policy selects.
        var manifests = work.manifests
        for id in work.manifestIDs {
            do {
                manifests.append(try Manifest.parse(archive.blobs.get(id)))
            } catch {
                report.problems.append("LFS: manifest \(id.hex) cannot be read: \(error)")
            }
        }
        var wanted: [ContentID: LFSPendingRecord] = [:]
        for manifest in manifests {
            for entry in manifest.entries {
                guard let oid = entry.lfsOID, let size = entry.lfsSize, wanted[oid] == nil, policy.selects(path: entry.path, size: size) else { continue }
                wanted[oid] = LFSPendingRecord(oid: oid, size: size, path: entry.path)
            }
        }
        try catalog.enqueueLFS(package: work.package, objects: wanted.values.sorted { $0.oid < $1.oid }, at: now())

        // 2. what the package waits for, under today's policy.
        let pending = try catalog.pendingLFS(package: work.package)
        try catalog.dropPendingLFS(package: work.package, oids: pending.filter { !policy.selects(path: $0.path, size: $0.size) }.map(\.oid))
        var todo: [LFSPendingRecord] = []
        var elsewhere: [LFSPendingRecord] = []
        // The oids this visit holds in `inFlight`; each is given back exactly once, so that
        // a later holder's claim is never released by this visit.
        var held = Set<String>()
        func release(_ oid: ContentID) {
            if held.remove(oid.hex) != nil { inFlight.release(oid.hex) }
        }
        defer { for oid in held { inFlight.release(oid) } }
        for object in pending where policy.selects(path: object.path, size: object.size) {
            switch holding(object) {
            case .object:
                try catalog.recordLFSStored(object.oid, size: object.size, at: now())
                report.deduplicated += 1
            case .otherSize(let stored):
                try fail(object, work: work, reason: Self.falseSize(object, stored: stored), report: &report)
            case .absent:
                if inFlight.claim(object.oid.hex) {
                    held.insert(object.oid.hex)
                    todo.append(object)
                } else {
                    elsewhere.append(object)
                }
            }
        }
        // Set when the blob store runs short of space: the objects left wait for room.
        var noRoom: FreeSpace.NoRoom?
        var waiting = 0
        func wait(_ object: LFSPendingRecord, _ why: FreeSpace.NoRoom) throws {
            release(object.oid)
            try checkCancellation()
            try catalog.recordLFSDeferred(object.oid, package: work.package, reason: why.description, at: now())
            waiting += 1
        }
        defer {
            if let noRoom, waiting > 0 {
                report.problems.append("LFS: \(waiting) object\(waiting == 1 ? " waits" : "s wait") for free space (pending, not failed): \(noRoom.detail)")
            }
        }

        // 3. ask the LFS server, 100 objects a request, and follow its actions.
        if !todo.isEmpty {
            guard var endpoint = work.configuredURL().map(LFSEndpoint.init(url:)) ?? LFSEndpoint.derived(from: work.repositoryURL) else {
                for object in todo {
                    try fail(object, work: work, reason: "the repository \(GitURL.redacted(work.repositoryURL)) is a local path: there is no LFS server to ask", report: &report)
                }
                return
            }
            endpoint.addressPolicy = options.network.addressPolicy(forHubURL: endpoint.url)
            let authorization = Self.authorization(work.credentials, endpoint: endpoint, repositoryURL: work.repositoryURL)
            var start = 0
            while start < todo.count {
                let chunk = Array(todo[start..<min(todo.count, start + LFSClient.batchSize)])
                start += LFSClient.batchSize
                try checkDeadline(work)
                if noRoom == nil {
                    do { try space.ensureRoom(for: 0) } catch let short as FreeSpace.NoRoom { noRoom = short }
                }
                if let noRoom {
                    // Not even asked for: there is no room to put them.
                    for object in chunk { try wait(object, noRoom) }
                    continue
                }
                let answers: [LFSBatchAnswer]
                do {
                    answers = try client.batch(chunk.map { LFSObjectRequest(oid: $0.oid.hex, size: $0.size) }, endpoint: endpoint,
                                               authorization: authorization, deadline: work.deadline)
                } catch {
                    try checkDeadline(work)
                    for object in chunk { try fail(object, work: work, reason: "\(error)", report: &report) }
                    continue
                }
                let byOID = Dictionary(answers.map { ($0.oid, $0) }, uniquingKeysWith: { a, _ in a })
                // Small objects are made durable and recorded in groups (one sync for many).
                var sealed: [(blob: any ResumableWrite, object: LFSPendingRecord)] = []
                var sealedBytes: Int64 = 0
                func publish() throws {
                    guard !sealed.isEmpty else { return }
                    defer {
                        for entry in sealed { release(entry.object.oid) }
                        sealed = []
                        sealedBytes = 0
                    }
                    do {
                        try archive.blobs.publish(sealed.map(\.blob))
                    } catch {
                        for entry in sealed { try fail(entry.object, work: work, reason: "\(error)", report: &report) }
                        return
                    }
                    try catalog.recordLFSStored(sealed.map { ($0.object.oid, $0.object.size) }, at: now())
                    report.stored += sealed.count
                    report.storedBytes += sealedBytes
                }
                for object in chunk {
                    try checkCancellation()
                    try checkDeadline(work)
                    if let noRoom {
                        try wait(object, noRoom)
                        continue
                    }
                    guard let answer = byOID[object.oid.hex] else {
                        release(object.oid)
                        continue
                    }
                    if let error = answer.error {
                        release(object.oid)
                        try fail(object, work: work, reason: "the LFS server answered \(error.code) for the object: \(error.message)", report: &report)
                        continue
                    }
                    do {
                        // Stored meanwhile (by another process, or a run killed before its record)?
                        let inStore = holding(object)
                        if case .otherSize(let stored) = inStore {
                            release(object.oid)
                            try fail(object, work: work, reason: Self.falseSize(object, stored: stored), report: &report)
                            continue
                        } else if case .object = inStore {
                            report.deduplicated += 1
                        } else if object.size < Self.groupedBelow {
                            let blob = try download(object, action: answer.action!, endpoint: endpoint, authorization: authorization, seal: true,
                                                    deadline: work.deadline)
                            sealed.append((blob, object))
                            sealedBytes += object.size
                            if sealed.count >= LFSClient.batchSize || sealedBytes >= Self.groupedBelow { try publish() }
                            continue
                        } else {
                            _ = try download(object, action: answer.action!, endpoint: endpoint, authorization: authorization, seal: false,
                                             deadline: work.deadline)
                            report.stored += 1
                            report.storedBytes += object.size
                        }
                        release(object.oid)
                        try catalog.recordLFSStored(object.oid, size: object.size, at: now())
                    } catch let error as CatalogError {
                        throw error
                    } catch let error where FreeSpace.NoRoom.from(error) != nil {
                        // Local: this object and the rest of the visit's wait for room.
                        noRoom = FreeSpace.NoRoom.from(error)
                        try wait(object, noRoom!)
                    } catch {
                        release(object.oid)
                        try checkDeadline(work)
                        try fail(object, work: work, reason: "\(error)", report: &report)
                    }
                }
                try publish()
            }
        }

        // 4. objects another visit was downloading: stored by now, or still pending.
        for object in elsewhere {
            inFlight.wait(object.oid.hex)
            switch holding(object) {
            case .object:
                try catalog.recordLFSStored(object.oid, size: object.size, at: now())
                report.deduplicated += 1
            case .otherSize(let stored):
                try fail(object, work: work, reason: Self.falseSize(object, stored: stored), report: &report)
            case .absent:
                break
            }
        }
    }

    /// Objects smaller than this are made durable in groups; larger ones one by one.
    static let groupedBelow: Int64 = 64 << 20

    /// Downloads one object, resuming a partial download, refreshing an expired action,
    /// retrying dropped connections, 429 and 5xx (with backoff and `Retry-After`), and checks
    /// it. With `seal`, returns it sealed for ``BlobStore/publish(_:)``; otherwise it is
    /// stored already. Throws when it gives up for this visit.
    func download(_ object: LFSPendingRecord, action first: LFSAction, endpoint: LFSEndpoint, authorization: String?,
                  seal: Bool, deadline: Date? = nil) throws -> any ResumableWrite {
        let partial = try archive.blobs.resumableWrite(of: object.oid, size: object.size)
        // The pointer's size decides how much may be written: it must fit above the reserve.
        do {
            try space.ensureRoom(for: object.size - partial.length)
        } catch {
            if partial.length == 0 { partial.discard() }
            throw error
        }
        var action = first
        var refreshes = 0
        func refresh(_ why: String) throws {
            guard refreshes < 3 else { throw ObjectFailure(description: why + ", and still after \(refreshes) fresh actions") }
            refreshes += 1
            let answers = try client.batch([LFSObjectRequest(oid: object.oid.hex, size: object.size)], endpoint: endpoint, authorization: authorization,
                                           deadline: deadline)
            guard let answer = answers.first, let fresh = answer.action else {
                let error = answers.first?.error
                throw ObjectFailure(description: why + "; asked again, the LFS server answered \(error?.code ?? 0): \(error?.message ?? "no action")")
            }
            action = fresh
        }
        // One attempt: download from where the partial object ends; a transient failure
        // throws ``Again`` for the retry policy, a fresh action does not count as an attempt.
        let retrying = Retrying(policy: retry, isCancelled: { [cancellation] in cancellation?.isRaised == true }, capsServerWaits: true)
        do {
            return try retrying.run { _ in
                while true {
                    try checkCancellation()
                    if partial.isFull {
                        if seal { try partial.seal() } else { try partial.complete() }
                        return partial
                    }
                    if action.isExpired(at: clock()) {
                        try refresh("its download action expired")
                        continue
                    }
                    let receiver = ObjectReceiver(partial: partial, offset: partial.length, space: space, cancellation: cancellation)
                    let response: HTTPResponse
                    do {
                        response = try client.download(action, from: partial.length, into: receiver, deadline: deadline,
                                                       addressPolicy: options.network.addressPolicy(forHubURL: action.href))
                    } catch let error as HTTPError where error.retryable {
                        throw Again(why: "the download failed: \(error)", code: error.code)
                    }
                    let shown = LFSClient.shown(action.href)
                    switch response.status {
                    case 200, 206:
                        if receiver.misplacedRange {
                            try partial.restart()
                            throw Again(why: "GET \(shown) answered a range that does not continue the \(receiver.offset) bytes received")
                        } else if !partial.isFull {
                            throw Again(why: "GET \(shown) ended after \(partial.length) of \(object.size) bytes")
                        }
                    case 416:
                        try partial.restart()
                        throw Again(why: "GET \(shown) refused the range from byte \(receiver.offset) (HTTP 416)")
                    case 401, 403, 404, 410:
                        // A signed link that lapsed: ask the batch API for a fresh one.
                        try refresh("GET \(shown) answered HTTP \(response.status)")
                    case let status where RetryPolicy.retryableStatuses.contains(status):
                        throw Again(why: "GET \(shown) answered HTTP \(status)", code: FailureCode(status: status) ?? .serverError,
                                    retryAfter: RetryPolicy.requestedWait(response.headers))
                    default:
                        throw ObjectFailure(description: "GET \(shown) answered HTTP \(response.status)")
                    }
                }
            }
        } catch let again as Again {
            throw ObjectFailure(description: again.why + " (after \(retry.maxAttempts) attempts; \(partial.length) of \(object.size) bytes kept to resume)")
        } catch is RetryInterruption {
            // A stopping daemon does not sit out a server's wait.
            throw Cancelled()
        }
    }

    /// A failed download attempt worth another: a dropped connection, a short or misplaced
    /// body, a 429 or 5xx answer.
    struct Again: RetryableFailure {
        var why: String
        var code: FailureCode = .connection
        var retryAfter: TimeInterval?
        var isTransient: Bool { true }
    }

    private func fail(_ object: LFSPendingRecord, work: Work, reason: String, report: inout Report) throws {
        try checkCancellation()
        try archive.catalog.recordLFSFailure(object.oid, package: work.package, reason: reason, at: now())
        report.problems.append("LFS object \(object.oid.short) (\(object.path)): \(reason)")
    }

    private func now() -> Date { clock() }
}
