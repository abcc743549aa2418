import Foundation
import SedimentGit
import SedimentStore

/// Step 6 of a visit: what it adds to the catalog, as one ``VisitRecord`` (written in one
/// transaction by ``write(_:)``), with a snapshot when the package's refs differ from the
/// last snapshot's.
struct RecordStage {
    let archive: Archive
    let target: Visitor.Target

    /// What a visit that went through git found.
    struct Found {
        var repository: Int64
        var fetch: FetchResult
        var refs: RefsStage.Output
        /// The package's refs (only its head for a package in a subpath).
        var packageRefs: [String: ObjectID]
        var head: ObjectID?
        var manifests: ManifestStage.Output
        /// The packs the manifest stage made durable, indexed by the visit's transaction.
        var packs: [PackRecord]
        var commits: [CommitRecord]
        /// The hub's metadata with what the hub's kind adds after a visit.
        var metadata: String?
        var observation: ObservationRecord
    }

    /// The record of a visit through git; `last` is the package's last snapshot.
    func full(_ found: Found, last: SnapshotRecord?, started: Date, finished: Date) -> VisitRecord {
        var record = VisitRecord(packageRowID: target.package.rowID, repositoryRowID: found.repository, crawlID: target.crawlID,
                                 startedAt: started, finishedAt: finished, status: .full, eventful: false, error: nil,
                                 objectsReceived: found.fetch.receivedObjects, bytesReceived: found.fetch.receivedBytes)
        record.commits = found.commits
        record.blobs = found.manifests.newBlobs
        record.manifests = found.manifests.records
        record.packs = found.packs
        record.refTips = found.fetch.remoteRefs.mapValues(\.hex)
        record.defaultBranch = found.fetch.defaultBranch ?? found.refs.headRef
        record.lostRefs = found.refs.lost
        record.metadata = found.metadata
        record.observation = found.observation
        let refs = found.packageRefs.mapValues(\.hex)
        let headRef = found.refs.headRef
        if last?.refs != refs || last?.headRef != headRef {
            let manifest = found.head.flatMap { found.manifests.manifestOf[$0.hex] }
            let state = SnapshotState(hub: target.ref.hub, package: target.ref.id, head: found.head?.hex, manifest: manifest,
                                      metadata: target.ref.metadata.map { ContentID.of(Data($0.utf8)) }, refs: refs)
            record.snapshot = SnapshotRecord(id: state.id, takenAt: finished, head: found.head?.hex, headRef: headRef, manifest: manifest, refs: refs)
            record.eventful = true
        }
        return record
    }

    /// An uneventful visit that touches no git and keeps the hub's metadata.
    func metadataOnly(repository: Int64?, observation: ObservationRecord, started: Date, finished: Date) -> VisitRecord {
        var record = VisitRecord(packageRowID: target.package.rowID, repositoryRowID: repository, crawlID: target.crawlID,
                                 startedAt: started, finishedAt: finished, status: .full, eventful: false, error: nil)
        record.metadata = target.ref.metadata
        record.skippedGit = true
        record.observation = observation
        return record
    }

    /// A failed visit: nothing of it but its status, error and what it received.
    func failed(_ status: VisitStatus, error: String, objectsReceived: Int, bytesReceived: Int, started: Date, finished: Date) -> VisitRecord {
        var record = VisitRecord(packageRowID: target.package.rowID, repositoryRowID: target.package.repositoryRowID, crawlID: target.crawlID,
                                 startedAt: started, finishedAt: finished, status: status, eventful: false, error: error,
                                 objectsReceived: objectsReceived, bytesReceived: bytesReceived)
        record.refTips = nil
        record.metadata = target.ref.metadata
        return record
    }

    /// Stores the visit's git pack (`git`: its new objects) and record in the store, then
    /// writes its catalog transaction.
    func write(_ record: VisitRecord, git: GitObjects? = nil) throws {
        try RecordWriter(archive: archive).record(record, git: git)
    }
}
