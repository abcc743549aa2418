import Foundation

/// A record that cannot be replayed: what is wrong, in words.
public struct StoredRecordError: Error, CustomStringConvertible {
    public var problem: String
    public var description: String { problem }

    public init(_ problem: String) { self.problem = problem }
}

extension StoredVisit {
    /// The record of `visit` of the package in `package` (crawl `crawl`), whose new git objects
    /// are in `gitPacks`.
    public init(_ visit: VisitRecord, package: PackageState, crawl: CrawlKey?, gitPacks: [String]) {
        format = StoredRecords.format
        kind = "visit"
        self.package = package
        self.crawl = crawl
        startedAt = Catalog.timestamp(visit.startedAt)
        finishedAt = Catalog.timestamp(visit.finishedAt)
        status = visit.status.rawValue
        eventful = visit.eventful
        error = visit.error
        objectsReceived = visit.objectsReceived
        bytesReceived = visit.bytesReceived
        skippedGit = visit.skippedGit
        metadata = visit.metadata
        if visit.repositoryRowID != nil, let url = package.repository, let mirror = package.mirrorPath {
            repository = Repository(
                url: url, mirrorPath: mirror, defaultBranch: visit.defaultBranch,
                refs: visit.refTips.map { $0.keys.sorted().map { Ref(name: $0, target: visit.refTips![$0]!) } },
                lostRefs: visit.lostRefs.map {
                    LostRefEntry(name: $0.name, archivedAs: $0.archivedAs, target: $0.target, replacedBy: $0.replacedBy, reason: $0.reason, lostAt: $0.lostAt)
                },
                gitPacks: gitPacks)
        }
        commits = visit.commits.map { c in
            Commit(id: c.id, tree: c.tree, parents: c.parents, authorName: c.authorName, authorEmail: c.authorEmail, authorTime: c.authorTime,
                   authorOffset: c.authorOffset, committerName: c.committerName, committerEmail: c.committerEmail,
                   committerTime: c.committerTime, committerOffset: c.committerOffset, message: c.message,
                   changes: c.changes.map {
                       Change(status: $0.status, oldPath: $0.oldPath, newPath: $0.newPath, oldBlob: $0.oldBlob, newBlob: $0.newBlob,
                              oldMode: $0.oldMode, newMode: $0.newMode)
                   })
        }
        blobs = visit.blobs.map {
            Blob(gitBlob: $0.gitBlob, sha256: $0.sha256.hex, size: $0.size, stored: $0.stored, lfsOid: $0.lfsOID?.hex, lfsSize: $0.lfsSize)
        }
        manifests = visit.manifests.map {
            Manifest(id: $0.id.hex, commit: $0.commit, subpath: $0.subpath, files: $0.files, bytes: $0.bytes, lfsFiles: $0.lfsFiles, lfsBytes: $0.lfsBytes)
        }
        blobPacks = visit.packs.map(\.id.hex)
        snapshot = visit.snapshot.map { s in
            Snapshot(id: s.id.hex, takenAt: s.takenAt, head: s.head, headRef: s.headRef, manifest: s.manifest?.hex,
                     refs: s.refs.keys.sorted().map { Ref(name: $0, target: s.refs[$0]!) })
        }
        observation = visit.observation.map(Observation.init)
    }

    /// The visit to write into a catalog where the package is row `package`, its repository
    /// row `repository` and the crawl row `crawl`.
    public func visitRecord(package: Int64, repository: Int64?, crawl: Int64?) throws -> VisitRecord {
        func date(_ text: String, _ field: String) throws -> Date {
            guard let date = Catalog.date(text) else { throw StoredRecordError("\(field) \"\(text)\" is not a catalog timestamp") }
            return date
        }
        func id(_ hex: String, _ field: String) throws -> ContentID {
            guard let id = ContentID(hex: hex) else { throw StoredRecordError("\(field) \"\(hex)\" is not a SHA-256") }
            return id
        }
        guard let status = VisitStatus(rawValue: status) else { throw StoredRecordError("unknown visit status \"\(self.status)\"") }
        var record = VisitRecord(packageRowID: package, repositoryRowID: self.repository == nil ? nil : repository, crawlID: crawl,
                                 startedAt: try date(startedAt, "started_at"), finishedAt: try date(finishedAt, "finished_at"),
                                 status: status, eventful: eventful, error: error, objectsReceived: objectsReceived, bytesReceived: bytesReceived)
        record.skippedGit = skippedGit
        record.metadata = metadata
        if let r = self.repository {
            record.defaultBranch = r.defaultBranch
            record.refTips = r.refs.map { Dictionary($0.map { ($0.name, $0.target) }) { a, _ in a } }
            record.lostRefs = r.lostRefs.map {
                LostRef(name: $0.name, archivedAs: $0.archivedAs, target: $0.target, replacedBy: $0.replacedBy, reason: $0.reason, lostAt: $0.lostAt)
            }
        }
        record.commits = commits.map { c in
            CommitRecord(id: c.id, tree: c.tree, parents: c.parents, authorName: c.authorName, authorEmail: c.authorEmail, authorTime: c.authorTime,
                         authorOffset: c.authorOffset, committerName: c.committerName, committerEmail: c.committerEmail,
                         committerTime: c.committerTime, committerOffset: c.committerOffset, message: c.message,
                         changes: c.changes.map {
                             ChangeRecord(status: $0.status, oldPath: $0.oldPath, newPath: $0.newPath, oldBlob: $0.oldBlob, newBlob: $0.newBlob,
                                          oldMode: $0.oldMode, newMode: $0.newMode)
                         })
        }
        record.blobs = try blobs.map {
            BlobInfo(gitBlob: $0.gitBlob, sha256: try id($0.sha256, "sha256"), size: $0.size, stored: $0.stored,
                     lfsOID: try $0.lfsOid.map { try id($0, "lfs_oid") }, lfsSize: $0.lfsSize)
        }
        record.manifests = try manifests.map { m in
            var manifest = ManifestRecord(id: try id(m.id, "manifest id"), commit: m.commit, subpath: m.subpath, manifest: SedimentStore.Manifest(entries: []))
            manifest.files = m.files
            manifest.bytes = m.bytes
            manifest.lfsFiles = m.lfsFiles
            manifest.lfsBytes = m.lfsBytes
            return manifest
        }
        record.snapshot = try snapshot.map { s in
            SnapshotRecord(id: try id(s.id, "snapshot id"), takenAt: s.takenAt, head: s.head, headRef: s.headRef,
                           manifest: try s.manifest.map { try id($0, "snapshot manifest") },
                           refs: Dictionary(s.refs.map { ($0.name, $0.target) }) { a, _ in a })
        }
        record.observation = observation.map(\.record)
        return record
    }
}

extension StoredVisit.Observation {
    init(_ o: ObservationRecord) {
        self.init(downloads: o.downloads, likes: o.likes, hubMetrics: o.hubMetrics, commitsTotal: o.commitsTotal, commitsNew: o.commitsNew,
                  files: o.files, bytes: o.bytes, lfsFiles: o.lfsFiles, lfsBytes: o.lfsBytes, weightFormats: o.weightFormats,
                  cardLicense: o.cardLicense, cardTags: o.cardTags, cardDatasets: o.cardDatasets, cardLanguage: o.cardLanguage,
                  cardBaseModel: o.cardBaseModel, cardPipelineTag: o.cardPipelineTag, cardLibraryName: o.cardLibraryName,
                  cardHasModelIndex: o.cardHasModelIndex, cardBytes: o.cardBytes, cardHasBody: o.cardHasBody, cardFields: o.cardFields,
                  configArchitectures: o.configArchitectures, configModelType: o.configModelType, configTorchDtype: o.configTorchDtype,
                  configTransformersVersion: o.configTransformersVersion, configFields: o.configFields, problems: o.problems,
                  cardState: o.cardState?.rawValue, cardProblem: o.cardProblem, configState: o.configState?.rawValue, configProblem: o.configProblem)
    }

    var record: ObservationRecord {
        var o = ObservationRecord()
        o.downloads = downloads; o.likes = likes; o.hubMetrics = hubMetrics; o.commitsTotal = commitsTotal; o.commitsNew = commitsNew
        o.files = files; o.bytes = bytes; o.lfsFiles = lfsFiles; o.lfsBytes = lfsBytes; o.weightFormats = weightFormats
        o.cardLicense = cardLicense; o.cardTags = cardTags; o.cardDatasets = cardDatasets; o.cardLanguage = cardLanguage
        o.cardBaseModel = cardBaseModel; o.cardPipelineTag = cardPipelineTag; o.cardLibraryName = cardLibraryName
        o.cardHasModelIndex = cardHasModelIndex; o.cardBytes = cardBytes; o.cardHasBody = cardHasBody; o.cardFields = cardFields
        o.configArchitectures = configArchitectures; o.configModelType = configModelType; o.configTorchDtype = configTorchDtype
        o.configTransformersVersion = configTransformersVersion; o.configFields = configFields; o.problems = problems
        o.cardState = cardState.flatMap(ParseState.init(rawValue:)); o.cardProblem = cardProblem
        o.configState = configState.flatMap(ParseState.init(rawValue:)); o.configProblem = configProblem
        return o
    }
}
