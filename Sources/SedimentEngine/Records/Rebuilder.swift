import Foundation
import SedimentGit
import SedimentStore

/// `sediment rebuild`: a new storage folder whose catalog and bare mirrors are rebuilt from
/// the store alone: the pack index from the packs, the catalog by replaying every record in
/// the order written (through the same catalog writes a visit makes), each mirror by indexing
/// its stored git packs and setting its refs.
public struct Rebuilder {
    /// The store to read.
    public var store: StoreLocation
    /// The new storage folder.
    public var into: String
    /// Pack settings and the like; its storage path is replaced by `into`.
    public var configuration: Configuration

    public init(store: StoreLocation, into: String, configuration: Configuration) {
        self.store = store
        self.into = into
        self.configuration = configuration
        self.configuration.storage.path = into
        self.configuration.storage.pathIsSet = true
    }

    /// What a rebuild did.
    public struct Report: Sendable {
        public var indexedPacks = 0
        public var indexedBlobs = 0
        public var visits = 0
        public var crawlRecords = 0
        public var indexRecords = 0
        public var mirrors = 0
        public var gitPacks = 0
        public var lfsObjects = 0
        /// Records that could not be replayed, each naming its file and why (the others were).
        public var damaged: [String] = []
        /// Records of a format newer than this version reads, by name.
        public var newer: [String] = []
        /// Mirrors whose refs name objects no stored git pack holds, and other mirror problems.
        public var mirrorProblems: [String] = []
        /// Packs of the blob store whose trailer could not be read.
        public var unreadablePacks: [String] = []
    }

    /// A step of the rebuild and its count so far, for progress.
    public typealias Progress = (_ step: String, _ done: Int, _ total: Int) -> Void

    /// Rebuilds; throws only when the rebuild cannot begin or the catalog cannot be written.
    public func run(progress: Progress = { _, _, _ in }) throws -> Report {
        try prepareFolder()
        let lock = try StorageLock.acquire(path: into + "/lock")
        defer { withExtendedLifetime(lock) {} }
        let catalog = try Catalog(path: configuration.catalogPath)
        // A local store is read through the new folder's `blobs`; any other as it is named.
        var location = store
        if case .local = store { location = .local(path: configuration.blobsPath) }
        let blobs = try Archive.openStore(location, index: catalog, configuration: configuration)
        var report = Report()
        let index = try blobs.rebuildIndex { progress("reading pack trailers", $0, $1) }
        report.indexedPacks = index.packs
        report.indexedBlobs = index.blobs
        report.unreadablePacks = index.unreadable.map { "\($0)" }

        var names: [String] = []
        for folder in [StoredRecords.visits, StoredRecords.crawls, StoredRecords.indexes] {
            try blobs.listFiles(prefix: folder) { name, _ in if name.hasSuffix(".json") { names.append(name) } }
        }
        names.sort { (RecordName.orderKey($0), $0) < (RecordName.orderKey($1), $1) }
        var replay = RecordReplay(catalog: catalog)
        for (n, name) in names.enumerated() {
            progress("replaying records", n, names.count)
            do {
                let data = try blobs.file(name)
                guard let format = StoredRecords.formatOf(data) else { throw StoredRecordError("it is not a JSON object (damaged or cut short)") }
                guard format <= StoredRecords.format else {
                    report.newer.append("\(name): record format \(format) is newer than this version of sediment reads (\(StoredRecords.format))")
                    continue
                }
                guard format >= 1 else { throw StoredRecordError("it names no record format") }
                if name.hasPrefix(StoredRecords.visits) {
                    try replay.visit(try StoredRecords.decode(StoredVisit.self, from: data))
                    report.visits += 1
                } else if name.hasPrefix(StoredRecords.indexes) {
                    try replay.index(try StoredRecords.decode(StoredIndex.self, from: data))
                    report.indexRecords += 1
                } else {
                    try replay.crawl(try StoredRecords.decode(StoredCrawl.self, from: data))
                    report.crawlRecords += 1
                }
            } catch let error as DecodingError {
                report.damaged.append("\(name): \(Self.describe(error))")
            } catch let error as StoredRecordError {
                report.damaged.append("\(name): \(error)")
            } catch let error as BlobStoreError where error.isPermanent {
                report.damaged.append("\(name): \(error)")
            }
        }
        progress("replaying records", names.count, names.count)
        try catalog.closeAbandonedCrawls()
        report.lfsObjects = try catalog.restoreLFSObjects(at: Date()) { blobs.contains($0, size: $1) }

        let plans = replay.mirrors.sorted { $0.key < $1.key }
        for (n, (path, plan)) in plans.enumerated() {
            progress("rebuilding mirrors", n, plans.count)
            do {
                report.gitPacks += try MirrorRebuild(blobs: blobs, mirrorsPath: configuration.mirrorsPath, temporary: into + "/git-packs.tmp")
                    .rebuild(path, plan, problems: &report.mirrorProblems)
                report.mirrors += 1
            } catch let error as GitError {
                report.mirrorProblems.append("mirror \(path): \(error)")
            } catch let error as BlobStoreError where error.isPermanent {
                report.mirrorProblems.append("mirror \(path): \(error)")
            }
        }
        progress("rebuilding mirrors", plans.count, plans.count)
        return report
    }

    /// Creates the storage folder, refusing one that holds a catalog or mirrors already, and
    /// makes the store its `blobs` folder (a symbolic link to a local store kept elsewhere).
    private func prepareFolder() throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: configuration.catalogPath) {
            throw ArchiveError.storage(path: into, problem: "it holds a catalog already (catalog.sqlite); rebuild into a new folder")
        }
        if let entries = try? fm.contentsOfDirectory(atPath: configuration.mirrorsPath), !entries.isEmpty {
            throw ArchiveError.storage(path: into, problem: "it holds mirrors already (mirrors/); rebuild into a new folder")
        }
        for path in [into, configuration.mirrorsPath] {
            do { try Folder.make(path, operation: "create the folder") } catch let error as FileError {
                throw ArchiveError.storage(path: path, problem: "cannot create the folder: \(error.cause)")
            }
        }
        if case .local(let path) = store {
            let blobs = configuration.blobsPath
            let wanted = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            guard fm.fileExists(atPath: wanted + "/.") else {
                throw ArchiveError.storage(path: path, problem: "no store is there (no such folder)")
            }
            if fm.fileExists(atPath: blobs) || (try? fm.destinationOfSymbolicLink(atPath: blobs)) != nil {
                guard URL(fileURLWithPath: blobs).resolvingSymlinksInPath().path == wanted else {
                    throw ArchiveError.storage(path: blobs, problem: "it is in the way of the store \(path): rebuild into a new folder")
                }
            } else if symlink(wanted, blobs) != 0 {
                throw ArchiveError.storage(path: blobs, problem: "cannot link it to the store \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func at(_ path: [CodingKey]) -> String {
            path.isEmpty ? "" : " at " + path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .dataCorrupted(let c): return "it is not valid JSON\(at(c.codingPath)): \(c.debugDescription)"
        case .keyNotFound(let key, let c): return "field \(key.stringValue) is missing\(at(c.codingPath))"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "a field has the wrong type\(at(c.codingPath)): \(c.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
