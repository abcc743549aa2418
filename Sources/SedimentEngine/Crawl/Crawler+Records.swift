import Foundation
import SedimentStore

extension Crawler {
    /// Stores the listing of crawl `crawlID` (the packages `ids` as the catalog now holds
    /// them). Its rows are written already: a listing the store could not take costs only the
    /// listing times of packages not visited since, in an archive rebuilt from the store, so it
    /// is logged and the crawl goes on.
    func storeListing(_ crawlID: Int64, hub: Configuration.Hub, packages ids: Set<String>) {
        do {
            try RecordWriter(archive: archive).listing(crawl: crawlID, hub: hub, packages: ids)
        } catch {
            logger.error("the listing could not be stored", metadata: ["hub": "\(hub.name)", "error": "\(Visitor.describe(error))"])
        }
    }

    /// Asks the hub about a package it stopped listing: gone (marked deleted, a `not-found`
    /// visit), restricted (marked gated, a failed visit), or still there but no longer listed
    /// (a `git` hub's URL removed from `repositories`, a model no longer matched by the query):
    /// marked unlisted, with no visit (nil).
    func checkUnlisted(_ package: PackageRecord, discovery: Discovery, crawlID: Int64) throws -> VisitOutcome? {
        let started = clock()
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
                try archive.catalog.markPackage(package.rowID, unlisted: true)
                logger.notice("package no longer listed; its archive stays and it is not visited until listed again",
                              metadata: ["hub": "\(package.hub)", "package": "\(package.id)"])
                return nil
            }
        } catch {
            record.status = .failed
            record.error = Visitor.describe(error)
        }
        record.finishedAt = clock()
        try RecordWriter(archive: archive).record(record, git: nil)
        outcome.status = record.status
        outcome.error = record.error
        return outcome
    }
}
