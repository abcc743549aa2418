import Foundation
import Synchronization
import SedimentGit
import SedimentStore

/// The new git objects of a visit: those reachable from `tips` and not from `hiding` (the
/// tips the catalog archived before it, lost refs included), in the mirror `repository`.
struct GitObjects {
    let repository: Repository
    let tips: [ObjectID]
    let hiding: [ObjectID]
}

/// Writes what the catalog learns to the store as well, as immutable records
/// (docs/format.md), so that the store alone is the archive: `sediment rebuild` replays them.
///
/// Write order: the visit's blobs are durable before (its packs), then its git pack and its
/// record are made durable here, then the catalog transaction. A crash between the last two
/// leaves a record without its catalog row, which `rebuild` replays; never the reverse.
struct RecordWriter {
    let archive: Archive

    /// Stores the visit's git pack and record, then writes its catalog transaction.
    func record(_ visit: VisitRecord, git: GitObjects?) throws {
        let catalog = archive.catalog
        guard let package = try catalog.packageState(visit.packageRowID) else {
            throw StoredRecordError("package row \(visit.packageRowID) is not in the catalog")
        }
        let crawl = try visit.crawlID.flatMap { try catalog.crawlKey($0) }
        var packs: [String] = []
        if let git, let url = package.repository { packs = try storeGitPacks(git, repository: url) }
        let stored = StoredVisit(visit, package: package, crawl: crawl, gitPacks: packs)
        try archive.blobs.putFile(RecordName.next(in: StoredRecords.visits), data: try StoredRecords.encode(stored))
        FaultSwitch.crashIfAsked(recording: package.hub + ":" + package.id)
        try catalog.record(visit)
    }

    /// Stores the new objects of `git` as git packs `git/<mirror key>/<name>.pack`; returns
    /// their names, none when the visit brought no new object.
    ///
    /// A repository's first visit (nothing archived before: every object of the mirror is
    /// new) stores the packs its fetches wrote, as they are: the same objects, without
    /// libgit2 searching their deltas again, which took as long as the fetch itself. A mirror
    /// holding loose objects, and every later visit, get a pack built for them.
    private func storeGitPacks(_ git: GitObjects, repository url: String) throws -> [String] {
        let folder = StoredRecords.git + StoredRecords.mirrorKey(repository: url) + "/"
        if git.hiding.isEmpty, let fetched = Self.fetchedPacks(of: git.repository.path) {
            for (name, path) in fetched { try archive.blobs.putFile(folder + name + ".pack", from: path) }
            return fetched.map { folder + $0.name + ".pack" }
        }
        return try storeGitPack(git, repository: url).map { [$0] } ?? []
    }

    /// The packs of the bare mirror at `mirror` (git's name, path), in name order; nil when it
    /// holds a loose object or no pack.
    static func fetchedPacks(of mirror: String) -> [(name: String, path: String)]? {
        let objects = mirror + "/objects"
        let fm = FileManager.default
        for entry in (try? fm.contentsOfDirectory(atPath: objects)) ?? [] where entry.count == 2 {
            if !((try? fm.contentsOfDirectory(atPath: objects + "/" + entry)) ?? []).isEmpty { return nil }
        }
        let packs = ((try? fm.contentsOfDirectory(atPath: objects + "/pack")) ?? []).filter { $0.hasPrefix("pack-") && $0.hasSuffix(".pack") }
            .sorted().map { (name: String($0.dropFirst(5).dropLast(5)), path: objects + "/pack/" + $0) }
        return packs.isEmpty ? nil : packs
    }

    /// Writes the git pack of `git` and stores it as `git/<mirror key>/<name>.pack`; returns
    /// that name, nil when the visit brought no new object.
    private func storeGitPack(_ git: GitObjects, repository url: String) throws -> String? {
        let temporary = archive.configuration.storage.path + "/git-packs.tmp"
        Self.removeStale(in: temporary)
        let folder = temporary + "/\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        guard let pack = try git.repository.writePack(tips: git.tips, hiding: git.hiding, into: folder) else { return nil }
        let name = StoredRecords.git + StoredRecords.mirrorKey(repository: url) + "/" + pack.name + ".pack"
        try archive.blobs.putFile(name, from: pack.path)
        return name
    }

    private static let staleRemoved = Mutex(false)

    /// Removes, once per process, the git packs a killed process left half-written in
    /// `folder` (this process holds the archive's lock: only its own folders are in use).
    private static func removeStale(in folder: String) {
        guard staleRemoved.withLock({ done in defer { done = true }; return !done }) else { return }
        let mine = "\(getpid())-"
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where !entry.hasPrefix(mine) {
            try? FileManager.default.removeItem(atPath: folder + "/" + entry)
        }
    }

    /// Stores the git pack of what a fetch of an index repository brought (`refs`: the
    /// mirror's refs after it, `hiding`: before it) and its record.
    func index(hub: Configuration.Hub, url: String, mirrorPath: String, repository: Repository, refs: [String: ObjectID], hiding: [ObjectID],
               head: String) throws {
        let shown = GitURL.redacted(url)
        let packs = try storeGitPack(GitObjects(repository: repository, tips: Array(refs.values), hiding: hiding), repository: shown).map { [$0] } ?? []
        let stored = StoredVisit.Repository(url: shown, mirrorPath: mirrorPath, defaultBranch: head,
                                            refs: refs.keys.sorted().map { StoredVisit.Ref(name: $0, target: refs[$0]!.hex) },
                                            lostRefs: [], gitPacks: packs)
        let record = StoredIndex(hub: hub.name, hubKind: hub.kind, repository: stored)
        try archive.blobs.putFile(RecordName.next(in: StoredRecords.indexes), data: try StoredRecords.encode(record))
    }

    /// Stores a crawl's listing: the hub's packages `ids` as the catalog now holds them, and
    /// the entries it skipped.
    func listing(crawl id: Int64, hub: Configuration.Hub, packages ids: Set<String>) throws {
        guard let key = try archive.catalog.crawlKey(id) else { return }
        var record = StoredCrawl(kind: "listing", crawl: key, hubKind: hub.kind)
        record.packages = try archive.catalog.packageStates(hub: hub.name, ids: ids)
        record.problems = try archive.catalog.crawlProblems(id).map { StoredCrawl.Problem(item: $0.item, problem: $0.problem) }
        try archive.blobs.putFile(RecordName.next(in: StoredRecords.crawls), data: try StoredRecords.encode(record))
    }

    /// Stores how crawl `id` ended, then ends it in the catalog.
    func finishCrawl(_ id: Int64, hubKind: String, at date: Date, state: CrawlState, packages: Int, failed: Int, eventful: Int,
                     error: String?) throws {
        if let key = try archive.catalog.crawlKey(id) {
            var record = StoredCrawl(kind: "end", crawl: key, hubKind: hubKind)
            record.end = CrawlEnd(finishedAt: Catalog.timestamp(date), state: state.rawValue, packages: packages, failed: failed,
                                  eventful: eventful, error: error)
            try archive.blobs.putFile(RecordName.next(in: StoredRecords.crawls), data: try StoredRecords.encode(record))
        }
        try archive.catalog.finishCrawl(id, at: date, state: state, packages: packages, failed: failed, eventful: eventful, error: error)
    }
}

/// Names of records: `<folder><UTC time to the microsecond>-<16 random hex digits>.json`, fixed
/// width, so that the names of all record folders, sorted by their last segment, give the
/// order they were written in (within one process the times never go back).
enum RecordName {
    private static let last = Mutex(Int64(0))

    static func next(in folder: String, now: Date = Date()) -> String {
        var micros = Int64((now.timeIntervalSince1970 * 1_000_000).rounded(.down))
        micros = last.withLock { value in
            value = max(value + 1, micros)
            return value
        }
        var seconds = time_t(micros / 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let stamp = String(format: "%04d%02d%02dT%02d%02d%02d.%06dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                           Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(micros % 1_000_000))
        return folder + stamp + "-" + String(format: "%016llx", UInt64.random(in: 0...UInt64.max)) + ".json"
    }

    /// The part of a record's name that orders it (its last segment).
    static func orderKey(_ name: String) -> String {
        name.split(separator: "/").last.map(String.init) ?? name
    }
}
