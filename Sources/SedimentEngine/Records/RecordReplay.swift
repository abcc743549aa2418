import Foundation
import SedimentGit
import SedimentStore

/// What a rebuilt mirror is made of: the git packs of its visits, in order, and its refs.
struct MirrorPlan {
    var packs: [String] = []
    /// The refs of the latest visit that recorded them.
    var refs: [String: String] = [:]
    /// Lost refs, by the name each is kept under in the mirror.
    var lost: [String: String] = [:]
    var head: String?
}

/// Replays records into a new catalog, one at a time in the order written, and gathers what
/// the mirrors are made of.
struct RecordReplay {
    let catalog: Catalog
    var mirrors: [String: MirrorPlan] = [:]

    init(catalog: Catalog) {
        self.catalog = catalog
    }

    mutating func visit(_ stored: StoredVisit) throws {
        guard stored.kind == "visit" else { throw StoredRecordError("a visit record of kind \"\(stored.kind)\"") }
        if let mirror = stored.repository?.mirrorPath { try Self.checkRelative(mirror) }
        let package = try catalog.restore(stored.package)
        let crawl = try stored.crawl.map { try catalog.restoreCrawl($0, hubKind: stored.package.hubKind) }
        var record = try stored.visitRecord(package: package.rowID, repository: package.repositoryRowID, crawl: crawl)
        // A visit recorded in the store whose catalog transaction a crash prevented was made
        // again by the next run: its snapshot, the same, is kept once.
        if let snapshot = record.snapshot, let last = try catalog.lastSnapshot(package: package.rowID),
           last.refs == snapshot.refs, last.headRef == snapshot.headRef {
            record.snapshot = nil
            record.eventful = false
        }
        try catalog.record(record)
        guard let repository = stored.repository else { return }
        var plan = mirrors[repository.mirrorPath] ?? MirrorPlan()
        plan.packs += repository.gitPacks.filter { !plan.packs.contains($0) }
        if let refs = repository.refs {
            plan.refs = Dictionary(refs.map { ($0.name, $0.target) }) { a, _ in a }
            if stored.status != VisitStatus.failed.rawValue, let head = repository.defaultBranch { plan.head = head }
        }
        for lost in repository.lostRefs { plan.lost[lost.archivedAs] = lost.target }
        mirrors[repository.mirrorPath] = plan
    }

    mutating func index(_ stored: StoredIndex) throws {
        guard stored.kind == "index" else { throw StoredRecordError("an index record of kind \"\(stored.kind)\"") }
        let repository = stored.repository
        try Self.checkRelative(repository.mirrorPath)
        var plan = mirrors[repository.mirrorPath] ?? MirrorPlan()
        plan.packs += repository.gitPacks.filter { !plan.packs.contains($0) }
        plan.refs = Dictionary((repository.refs ?? []).map { ($0.name, $0.target) }) { a, _ in a }
        plan.head = repository.defaultBranch ?? plan.head
        mirrors[repository.mirrorPath] = plan
    }

    mutating func crawl(_ stored: StoredCrawl) throws {
        let id = try catalog.restoreCrawl(stored.crawl, hubKind: stored.hubKind)
        switch stored.kind {
        case "listing":
            for package in stored.packages ?? [] {
                _ = try catalog.restore(package)
            }
            if try catalog.crawlProblems(id).isEmpty {
                try catalog.recordCrawlProblems(id, (stored.problems ?? []).map { ($0.item, $0.problem) })
            }
        case "end":
            guard let end = stored.end else { throw StoredRecordError("a crawl's end record without its end") }
            try catalog.restoreCrawlEnd(id, end)
        default:
            throw StoredRecordError("unknown crawl record kind \"\(stored.kind)\"")
        }
    }

    /// A mirror folder must lie inside `mirrors/`.
    static func checkRelative(_ path: String) throws {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.hasPrefix("/"), !parts.isEmpty, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw StoredRecordError("mirror folder \"\(path)\" does not lie inside mirrors/")
        }
    }
}

/// Rebuilds one bare mirror from the store: indexes its git packs with libgit2's indexer and
/// sets its refs (the latest visit's, and the lost refs under their archived names).
struct MirrorRebuild {
    let blobs: any BlobStore
    let mirrorsPath: String
    let temporary: String

    /// Returns the git packs indexed; appends to `problems` each ref it could not set.
    func rebuild(_ path: String, _ plan: MirrorPlan, problems: inout [String]) throws -> Int {
        let repository = try Repository.openOrCreateBare(at: mirrorsPath + "/" + path)
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        var indexed = 0
        for pack in plan.packs {
            let file = temporary + "/\(getpid())-\(UInt64.random(in: 0...UInt64.max)).pack"
            defer { unlink(file) }
            do {
                try blobs.copyFile(pack, to: file)
                try repository.indexPack(file)
                indexed += 1
            } catch let error as GitError {
                problems.append("mirror \(path): git pack \(pack) cannot be indexed: \(error)")
            } catch let error as BlobStoreError where error.isPermanent {
                problems.append("mirror \(path): \(error)")
            }
        }
        for (name, target) in plan.refs.merging(plan.lost, uniquingKeysWith: { a, _ in a }).sorted(by: { $0.key < $1.key }) {
            guard let id = ObjectID(hex: target), repository.contains(id) else {
                problems.append("mirror \(path): \(name) points at \(target), which no stored git pack holds")
                continue
            }
            try repository.setReference(name, to: id, message: "sediment: rebuilt from the store")
        }
        if let head = plan.head, plan.refs[head] != nil { try repository.setSymbolicHead(head) }
        return indexed
    }
}
