import Foundation

// The catalog's contract, by concern. ``Catalog`` implements every one on either database
// (SQLite or PostgreSQL, the same statements); code that needs one concern takes it alone.
// The pack index is ``PackIndex``.

/// Hubs, packages, and the rows one visit writes.
public protocol PackageCatalog: Sendable {
    func registerHub(name: String, kind: String) throws
    func upsertPackage(hub: String, id: String, repositoryURL: String?, mirrorPath: String?, scope: PackageScope, seenAt date: Date,
                       gated: Bool, reportedHead: String?) throws -> PackageRecord
    func upsertPackages(_ packages: [ListedPackage], hub: String, seenAt date: Date) throws -> [PackageRecord]
    func markPackage(_ rowID: Int64, deleted: Bool?, gated: Bool?, unlisted: Bool?) throws
    func packages(hubs: [String]) throws -> [PackageRecord]
    func package(named name: String) throws -> PackageRecord
    @discardableResult func record(_ visit: VisitRecord) throws -> Int64
    func metadata(package: Int64) throws -> [(visit: Int64, at: String, json: String)]
    func repositoryMirrors() throws -> [(id: Int64, url: String, mirror: String)]
    func setMirrorPath(repository id: Int64, to mirror: String) throws
    func httpCache(url: String) throws -> (etag: String?, lastModified: String?, body: Data)?
    func storeHTTPCache(url: String, etag: String?, lastModified: String?, body: Data, at date: Date) throws
}

/// Commits, their changes and blobs, ref tips and lost refs.
public protocol HistoryCatalog: Sendable {
    func commits(repository: Int64) throws -> [CommitRecord]
    func commitIDs(repository: Int64, prefix: String) throws -> [String]
    func commitIDs(repository: Int64, touching scope: PackageScope) throws -> Set<String>
    func commitCount(repository: Int64, scope: PackageScope) throws -> Int
    func changes(commit: String) throws -> [ChangeRecord]
    func blobs(_ gitBlobs: [String]) throws -> [String: BlobInfo]
    func refTips(repository: Int64) throws -> [String: String]
    func lostRefs(repository: Int64) throws -> [LostRef]
}

/// Snapshots and the manifests they name.
public protocol SnapshotCatalog: Sendable {
    func lastSnapshot(package: Int64) throws -> SnapshotRecord?
    func snapshots(package: Int64) throws -> [SnapshotRecord]
    func manifestID(commit: String, subpath: String) throws -> ContentID?
    func manifestRows() throws -> [(id: ContentID, commit: String, subpath: String)]
}

/// Observations: what each visit measured.
public protocol TimeSeriesCatalog: Sendable {
    func observations(package: Int64) throws -> [(observedAt: String, values: [CatalogValue])]
    func lastObservation(package: Int64) throws -> ObservationRecord?
}

/// The queue of LFS objects wanted, and those stored.
public protocol LFSQueue: Sendable {
    func enqueueLFS(package: Int64, objects: [LFSPendingRecord], at date: Date) throws
    func pendingLFS(package: Int64) throws -> [LFSPendingRecord]
    func pendingLFSObjects() throws -> Set<String>
    func dropPendingLFS(package: Int64, oids: [ContentID]) throws
    func recordLFSStored(_ oid: ContentID, size: Int64, at date: Date) throws
    func recordLFSStored(_ objects: [(oid: ContentID, size: Int64)], at date: Date) throws
    func recordLFSFailure(_ oid: ContentID, package: Int64, reason: String, at date: Date) throws
    func recordLFSDeferred(_ oid: ContentID, package: Int64, reason: String, at date: Date) throws
    func isLFSStored(_ oid: ContentID) throws -> Bool
    func lfsPendingReason(_ oid: ContentID) throws -> (attempts: Int, reason: String?)?
    func storedLFSObjects() throws -> [(oid: ContentID, size: Int64)]
}

/// Crawls, visits in progress, each package's schedule, parking and quarantine.
public protocol ScheduleCatalog: Sendable {
    func beginCrawl(hub: String, at date: Date, listing: Bool, worker: String?) throws -> Int64
    func recordCrawlProblems(_ id: Int64, _ problems: [(item: String, problem: String)]) throws
    func finishCrawl(_ id: Int64, at date: Date, state: CrawlState, packages: Int, failed: Int, eventful: Int, error: String?) throws
    @discardableResult func closeAbandonedCrawls(countingCrashes: Bool, at date: Date, scope: (gone: Set<String>, crashed: Set<String>)?) throws -> [CrashedVisit]
    func visitStarted(package rowID: Int64, crawl: Int64?, at date: Date, listing: String?, worker: String?) throws
    func visitEnded(package rowID: Int64) throws
    func visitCompleted(package rowID: Int64) throws
    func forgetRunningVisits(worker: String?) throws
    func runningVisits() throws -> [RunningVisit]
    func lastListings() throws -> [String: ListingRecord]
    func lastSuccessfulCrawls() throws -> [String: String]
    func earliestDue() throws -> [String: String]
    func nextDuePackage() throws -> DuePackage?
    func schedules(packages: [Int64]?) throws -> [Int64: ScheduleRecord]
    func saveSchedule(_ record: ScheduleRecord) throws
    func parkedPackages() throws -> [ParkedPackage]
    func crashSuspects() throws -> Set<Int64>
    func quarantinedPackages() throws -> [Int64: String?]
    func unpark(package rowID: Int64, at date: Date) throws -> UnparkedPackage?
}

/// Whole-archive questions: status, export, verification, repair and reuse.
public protocol CatalogQueries: Sendable {
    func status() throws -> ArchiveStatus
    func stream(_ table: ExportTable, _ body: ([String], [CatalogValue]) throws -> Void) throws
    func ptmtorrentFacts(package: Int64) throws -> (kind: String, head: String?, metadata: String?, datasets: String?, modelType: String?, task: String?)
    func introducedFiles(pathFilter: (String) -> Bool) throws -> [IntroducedFile]
    func integrityCheck() throws -> [String]
    func storedBlobIDs() throws -> [ContentID]
    func storedBlobSizes() throws -> [ContentID: Int64]
    func manifestUsers() throws -> [(id: ContentID, commit: String, packages: [String])]
    func danglingReferences() throws -> [String]
    func mirrorReferences() throws -> [(mirror: String, url: String, refs: [(name: String, target: String)])]
    func repositorySources() throws -> [RepositorySource]
    func repositoriesHolding(commit: String) throws -> [Int64]
    func repositoriesIntroducing(_ gitBlobs: [String]) throws -> [String: [Int64]]
    func gitBlobs(sha256: ContentID) throws -> [String]
    func gitBlobs(pointingAt oid: ContentID) throws -> [String]
    func manifestOrigins(_ id: ContentID) throws -> [(commit: String, subpath: String)]
}

extension Catalog: PackageCatalog, HistoryCatalog, SnapshotCatalog, TimeSeriesCatalog, LFSQueue, ScheduleCatalog, CatalogQueries {}
