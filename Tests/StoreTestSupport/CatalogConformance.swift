import Foundation
import SedimentStore
import XCTest

/// The contract of ``Catalog``, checked the same way on every database backend: each
/// backend's test class gives fresh, empty catalogs and runs every check. A check that fails
/// names itself.
public struct CatalogConformance: ConformanceSuite {
    /// A fresh, empty, migrated catalog.
    let make: () throws -> Catalog

    public init(make: @escaping () throws -> Catalog) {
        self.make = make
    }

    public static let checks: [(name: String, run: @Sendable (CatalogConformance) throws -> Void)] = [
        ("a visit's rows round-trip", { try $0.visitRoundTrip() }),
        ("packages keep their rows, flags and byte order of names", { try $0.packagesAndOrder() }),
        ("crawls begin, record problems, finish and are listed", { try $0.crawls() }),
        ("schedules round-trip and the never-visited package is due first", { try $0.schedules() }),
        ("crashes quarantine a package and unpark frees it", { try $0.crashesAndUnpark() }),
        ("the LFS queue counts attempts and forgets stored objects", { try $0.lfsQueue() }),
        ("the pack index locates, supersedes and is replaced", { try $0.packIndex() }),
        ("observations feed the time-series views", { try $0.observationsAndViews() }),
        ("export streams rows with parents in order, and the HTTP cache keeps bytes", { try $0.exportAndCache() }),
        ("visits recorded from several threads at once all land", { try $0.concurrentVisits() }),
        ("a copy holds every row, and only an empty catalog takes one", { try $0.copyEverything() }),
        ("a lease has one holder until it expires, is released or its holder is known dead", { try $0.leases() }),
        ("of workers claiming one lease at once, one gets it", { try $0.concurrentClaims() }),
        ("hub metadata is kept as it changed, metrics aside", { try $0.metadataAsItChanged() }),
        ("a fleet shares its listing, last visits and refs, and closes only gone workers' work", { try $0.fleetSharing() }),
        ("serve reads summaries, observation points, facts by month, growth and commits", { try $0.serveReads() }),
    ]

    func equal<T: Equatable>(_ actual: T, _ expected: T, _ what: String) throws {
        guard actual == expected else { throw ConformanceFailure(description: "\(what): got \(actual), expected \(expected)") }
    }

    static func time(_ seconds: Int) -> Date {
        Date(timeIntervalSince1970: 1_767_225_600 + TimeInterval(seconds))
    }

    static func hex(_ character: Character) -> String {
        String(repeating: character, count: 40)
    }

    /// A package of hub `ours` with a repository, in `catalog`.
    func package(_ catalog: Catalog, _ id: String, at seconds: Int = 0) throws -> PackageRecord {
        try catalog.registerHub(name: "ours", kind: "git")
        return try catalog.upsertPackage(hub: "ours", id: id, repositoryURL: "git://h/\(id).git", mirrorPath: "h/\(id).git",
                                         scope: PackageScope(subpath: ""), seenAt: Self.time(seconds))
    }

    /// A visit of `package` adding commit `commit` (with `parents`) that writes `path` as `blob`.
    func visit(_ package: PackageRecord, commit: String, parents: [String] = [], path: String = "x", blob: BlobInfo,
               replacing previous: BlobInfo? = nil, at seconds: Int, observation: ObservationRecord? = nil) -> VisitRecord {
        var visit = VisitRecord(packageRowID: package.rowID, repositoryRowID: package.repositoryRowID, crawlID: nil,
                                startedAt: Self.time(seconds), finishedAt: Self.time(seconds + 1), status: .full, eventful: true, error: nil)
        visit.commits = [CommitRecord(id: commit, tree: Self.hex("e"), parents: parents, authorName: "A é", authorEmail: "a@x",
                                      authorTime: Int64(seconds), authorOffset: 60, committerName: "C", committerEmail: "c@x",
                                      committerTime: Int64(seconds) + 1, committerOffset: -120, message: "m 'quoted' ?\n",
                                      changes: [ChangeRecord(status: "modified", oldPath: path, newPath: path, oldBlob: previous?.gitBlob, newBlob: blob.gitBlob,
                                                             oldMode: 0o100644, newMode: 0o100644)])]
        visit.blobs = [blob]
        visit.refTips = ["refs/heads/main": commit]
        visit.defaultBranch = "refs/heads/main"
        let state = SnapshotState(hub: package.hub, package: package.id, head: commit, manifest: nil, metadata: nil, refs: visit.refTips!)
        visit.snapshot = SnapshotRecord(id: state.id, takenAt: visit.finishedAt, head: commit, headRef: "refs/heads/main", manifest: nil,
                                        refs: visit.refTips!)
        visit.metadata = #"{"sha":"\#(commit)"}"#
        visit.observation = observation
        return visit
    }

    func blob(_ seed: String, stored: Bool = true, lfs: (oid: ContentID, size: Int64)? = nil) -> BlobInfo {
        BlobInfo(gitBlob: String((seed + Self.hex("0")).prefix(40)), sha256: ContentID.of(Data(seed.utf8)), size: Int64(seed.utf8.count),
                 stored: stored, lfsOID: lfs?.oid, lfsSize: lfs?.size)
    }

    func visitRoundTrip() throws {
        let catalog = try make()
        let package = try package(catalog, "org/a")
        let first = blob("first")
        try catalog.record(visit(package, commit: Self.hex("c"), blob: first, at: 10))
        var second = visit(package, commit: Self.hex("d"), parents: [Self.hex("c")], blob: blob("second"), at: 20)
        second.lostRefs = [LostRef(name: "refs/heads/old", archivedAs: "refs/sediment/lost/1/heads/old", target: Self.hex("c"),
                                   replacedBy: Self.hex("d"), reason: "force-pushed", lostAt: Self.time(20))]
        try catalog.record(second)

        try equal(try catalog.package(named: "org/a").rowID, package.rowID, "package by name")
        try equal(try catalog.package(named: "ours:org/a").rowID, package.rowID, "package by qualified name")
        try expect((try? catalog.package(named: "nope")) == nil, "an unknown package is an error")
        try equal(try catalog.blobs([first.gitBlob, Self.hex("9")]), [first.gitBlob: first], "blobs by git id")
        let commits = try catalog.commits(repository: package.repositoryRowID!)
        try equal(Set(commits.map(\.id)), [Self.hex("c"), Self.hex("d")], "commits")
        let child = commits.first { $0.id == Self.hex("d") }
        try equal(child?.parents ?? [], [Self.hex("c")], "parents")
        try equal(child?.committerOffset ?? 0, -120, "a negative offset")
        try equal(child?.message ?? "", "m 'quoted' ?\n", "a message with quotes and a question mark")
        try equal(child?.authorName ?? "", "A é", "non-ASCII text")
        try equal(try catalog.changes(commit: Self.hex("d")).first?.newPath, "x", "changes")
        try equal(try catalog.refTips(repository: package.repositoryRowID!), ["refs/heads/main": Self.hex("d")], "ref tips")
        try equal(try catalog.lostRefs(repository: package.repositoryRowID!).map(\.archivedAs), ["refs/sediment/lost/1/heads/old"], "lost refs")
        let snapshots = try catalog.snapshots(package: package.rowID)
        try equal(snapshots.map(\.head), [Self.hex("c"), Self.hex("d")], "snapshots in order")
        try expect(snapshots[0].seq < snapshots[1].seq, "snapshot numbers grow")
        try equal(try catalog.lastSnapshot(package: package.rowID)?.head, Self.hex("d"), "last snapshot")
        try equal(try catalog.commitIDs(repository: package.repositoryRowID!, prefix: "ddd"), [Self.hex("d")], "commit by prefix")
        try equal(try catalog.metadata(package: package.rowID).count, 2, "hub metadata as it changed")
        let status = try catalog.status()
        try equal(status.commits, 2, "status commits")
        try equal(status.snapshots, 2, "status snapshots")
        try equal(status.storedBlobs, 2, "status stored blobs")
        try equal(status.storedBytes, Int64("first".count + "second".count), "status stored bytes")
        try equal(try catalog.danglingReferences(), [], "no dangling references")
        try equal(try catalog.integrityCheck(), ["ok"], "integrity")
        try equal(try catalog.needsUpgrade(), false, "a fresh catalog is current")
    }

    func packagesAndOrder() throws {
        let catalog = try make()
        try catalog.registerHub(name: "ours", kind: "git")
        let names = ["b", "B", "a/é", "a/z", "_x", "Z"]
        let listed = names.map { ListedPackage(id: $0, repositoryURL: "git://h/\($0).git", mirrorPath: "h/\($0).git", scope: PackageScope(subpath: "")) }
        let records = try catalog.upsertPackages(listed, hub: "ours", seenAt: Self.time(0))
        try equal(records.map(\.id), names, "upsert returns rows in the order given")
        try equal(try catalog.packages().map(\.id), names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) },
                  "packages in byte order of their names")
        try catalog.markPackage(records[0].rowID, deleted: true, gated: true, unlisted: true)
        var marked = try catalog.package(named: "ours:b")
        try expect(marked.deleted && marked.gated && marked.unlisted, "flags are set")
        let again = try catalog.upsertPackage(hub: "ours", id: "b", repositoryURL: "git://h/b.git", mirrorPath: "h/b.git",
                                              scope: PackageScope(subpath: ""), seenAt: Self.time(50))
        marked = try catalog.package(named: "ours:b")
        try equal(again.rowID, records[0].rowID, "an upsert keeps the row")
        try expect(!marked.deleted && !marked.unlisted, "listing a package again clears deleted and unlisted")
        try equal(marked.firstSeen, Catalog.timestamp(Self.time(0)), "first seen stays")
        try equal(marked.lastSeen, Catalog.timestamp(Self.time(50)), "last seen moves")
        try equal(try catalog.packages(hubs: ["elsewhere"]).count, 0, "a hub filter")
    }

    func crawls() throws {
        let catalog = try make()
        _ = try package(catalog, "org/a")
        let first = try catalog.beginCrawl(hub: "ours", at: Self.time(0))
        let second = try catalog.beginCrawl(hub: "ours", at: Self.time(10), listing: false)
        try expect(second > first, "crawl ids grow")
        try catalog.recordCrawlProblems(first, [(item: "x", problem: "bad"), (item: "y", problem: "worse")])
        try catalog.recordCrawlProblems(first, [(item: "z", problem: "last")])
        try equal(try catalog.crawlProblems(first).map(\.item), ["x", "y", "z"], "crawl problems in order")
        try catalog.finishCrawl(first, at: Self.time(5), packages: 1, failed: 0, eventful: 1)
        try catalog.finishCrawl(second, at: Self.time(15), packages: 1, failed: 0, eventful: 0)
        try equal(try catalog.lastListings()["ours"]?.startedAt, Catalog.timestamp(Self.time(0)), "the last listing is the listing crawl")
        try equal(try catalog.lastSuccessfulCrawls()["ours"], Catalog.timestamp(Self.time(15)), "the last successful crawl")
        try equal(try catalog.crawlKey(first)?.startedAt, Catalog.timestamp(Self.time(0)), "a crawl's key")
    }

    func schedules() throws {
        let catalog = try make()
        let a = try package(catalog, "org/a"), b = try package(catalog, "org/b")
        let record = ScheduleRecord(packageRowID: a.rowID, nextVisit: Self.time(100), revisitSeconds: 3600.5, consecutiveFailures: 2,
                                    listing: "head", lastVisit: Self.time(50), lastStatus: "full")
        try catalog.saveSchedule(record)
        try equal(try catalog.schedules()[a.rowID], record, "a schedule round-trips")
        try equal(try catalog.schedules(packages: [b.rowID]).count, 0, "only the packages asked for")
        try equal(try catalog.nextDuePackage()?.package, "ours:org/b", "a package never visited is due first")
        try equal(try catalog.earliestDue()["ours"], "", "the hub's earliest due is now")
        var parked = record
        parked.parkedAt = Self.time(60)
        try catalog.saveSchedule(parked)
        try equal(try catalog.parkedPackages().map(\.package), ["ours:org/a"], "parked packages")
    }

    func crashesAndUnpark() throws {
        let catalog = try make()
        let a = try package(catalog, "org/a")
        for round in 0..<2 {
            let crawl = try catalog.beginCrawl(hub: "ours", at: Self.time(round * 100))
            try catalog.visitStarted(package: a.rowID, crawl: crawl, at: Self.time(round * 100 + 1), listing: "v1")
            try catalog.visitStarted(package: a.rowID, crawl: crawl, at: Self.time(round * 100 + 2), listing: "v1")
            let crashed = try catalog.closeAbandonedCrawls(countingCrashes: true, at: Self.time(round * 100 + 3))
            try equal(crashed.map(\.package), ["ours:org/a"], "round \(round): the package in flight is counted")
        }
        try equal(try catalog.schedules()[a.rowID]?.quarantined, true, "two crashes in a row quarantine")
        try equal(try catalog.quarantinedPackages().keys.sorted(), [a.rowID], "the quarantined packages")
        try equal(try catalog.runningVisits().count, 0, "no visit is left running")
        let unparked = try catalog.unpark(package: a.rowID, at: Self.time(500))
        try equal(unparked?.wasParked, true, "unpark frees it")
        try equal(try catalog.schedules()[a.rowID]?.parked, false, "no longer parked")
    }

    func lfsQueue() throws {
        let catalog = try make()
        let a = try package(catalog, "org/a")
        let one = ContentID.of(Data("one".utf8)), two = ContentID.of(Data("two".utf8))
        try catalog.enqueueLFS(package: a.rowID, objects: [LFSPendingRecord(oid: one, size: 3, path: "w.bin"),
                                                           LFSPendingRecord(oid: two, size: 3, path: "v.bin")], at: Self.time(0))
        try equal(Set(try catalog.pendingLFS(package: a.rowID).map(\.oid)), [one, two], "queued")
        try catalog.recordLFSFailure(one, package: a.rowID, reason: "refused", at: Self.time(1))
        try catalog.recordLFSFailure(one, package: a.rowID, reason: "refused again", at: Self.time(2))
        try equal(try catalog.lfsPendingReason(one)?.attempts, 2, "attempts are counted")
        try catalog.recordLFSStored(two, size: 3, at: Self.time(3))
        try equal(try catalog.isLFSStored(two), true, "stored")
        try equal(try catalog.pendingLFSObjects(), [one.hex], "a stored object leaves the queue")
        try equal(try catalog.storedLFSObjects().map(\.oid), [two], "stored objects")
        try catalog.dropPendingLFS(package: a.rowID, oids: [one])
        try equal(try catalog.pendingLFS(package: a.rowID).count, 0, "dropped")
    }

    func packIndex() throws {
        let catalog = try make()
        let ids = (0..<600).map { ContentID.of(Data("blob \($0)".utf8)) }
        let pack = ContentID.of(Data("pack".utf8)), other = ContentID.of(Data("other".utf8))
        let entries = ids.enumerated().map { PackEntry(id: $1, kind: .content, compression: .zstd, offset: Int64($0 * 100), length: 90, size: 200) }
        try catalog.add([PackRecord(id: pack, bytes: 60_000, entries: entries)], superseding: false)
        try equal(try catalog.locate([ids[7]])[ids[7]]?.entry.offset, 700, "one blob located")
        try equal(try catalog.locate(ids).count, 600, "many blobs located")
        try catalog.add([PackRecord(id: other, bytes: 10, entries: [PackEntry(id: ids[7], kind: .content, compression: .none, offset: 0, length: 200, size: 200)])],
                        superseding: false)
        try equal(try catalog.locate([ids[7]])[ids[7]]?.pack, pack, "a second copy does not move a blob")
        try catalog.add([PackRecord(id: other, bytes: 10, entries: [PackEntry(id: ids[7], kind: .content, compression: .none, offset: 0, length: 200, size: 200)])],
                        superseding: true)
        try equal(try catalog.locate([ids[7]])[ids[7]]?.pack, other, "a superseding pack moves it")
        try equal(try catalog.indexedPacks(), [pack: 599, other: 1], "blobs per pack")
        let rows = try catalog.packIndexRows()
        try equal(rows, rows.sorted { $0.split(separator: " ")[1] < $1.split(separator: " ")[1] }, "index rows sorted by blob")
        try catalog.replace(with: [PackRecord(id: other, bytes: 10, entries: Array(entries.prefix(3)))])
        try equal(try catalog.indexedPacks(), [other: 3], "a replaced index")
    }

    func observationsAndViews() throws {
        let catalog = try make()
        let a = try package(catalog, "org/a")
        let oid1 = ContentID.of(Data("w1".utf8)), oid2 = ContentID.of(Data("w2".utf8))
        var previous: BlobInfo?
        for (index, license) in ["apache-2.0", "apache-2.0", "mit"].enumerated() {
            var observation = ObservationRecord()
            observation.downloads = Int64(100 * (index + 1))
            observation.cardLicense = license
            observation.cardState = .ok
            observation.configState = .absent
            observation.commitsTotal = index + 1
            let weights = blob("weights \(index)", lfs: (oid: index == 0 ? oid1 : oid2, size: Int64(1000 + index)))
            try catalog.record(visit(a, commit: Self.hex(Character(String(index))), parents: index == 0 ? [] : [Self.hex(Character(String(index - 1)))],
                                     path: "model.bin", blob: weights, replacing: previous, at: 100 * index, observation: observation))
            previous = weights
        }
        try equal(try catalog.observations(package: a.rowID).count, 3, "observations")
        try equal(try catalog.lastObservation(package: a.rowID)?.cardLicense, "mit", "the last observation")
        try catalog.database.read { db in
            try equal(try db.value(Int.self, sql: "SELECT COUNT(*) FROM package_timeseries WHERE package = ?", arguments: ["org/a"]), 3,
                      "package_timeseries rows")
            let changes = try db.rows(sql: "SELECT previous_license, license FROM license_changes WHERE package = ?", arguments: ["org/a"])
            try equal(changes.map { "\($0["previous_license"] as String? ?? "-")→\($0["license"] as String? ?? "-")" }, ["apache-2.0→mit"],
                      "license_changes")
            let weights = try db.rows(sql: "SELECT old_lfs_oid, new_lfs_oid FROM weight_changes WHERE package = ? ORDER BY commit_time",
                                      arguments: ["org/a"])
            try equal(weights.map { $0["new_lfs_oid"] as String? ?? "-" }, [oid1.hex, oid2.hex], "weight_changes (the same object again is no change)")
        }

        // An unchanged visit: new metrics, the same facts, which are not stored again.
        var unchanged = try catalog.lastObservation(package: a.rowID)!
        unchanged.downloads = 999
        unchanged.commitsNew = 0
        var quiet = VisitRecord(packageRowID: a.rowID, repositoryRowID: a.repositoryRowID, crawlID: nil, startedAt: Self.time(400),
                                finishedAt: Self.time(401), status: .full, eventful: false, error: nil)
        quiet.observation = unchanged
        try catalog.record(quiet)
        try equal(try catalog.observations(package: a.rowID).count, 4, "every visit's observation")
        try equal(try catalog.lastObservation(package: a.rowID)?.downloads, 999, "the unchanged visit's metrics")
        try equal(try catalog.lastObservation(package: a.rowID)?.cardLicense, "mit", "the unchanged visit's facts")
        try catalog.database.read { db in
            try equal(try db.values(Int64.self, sql: "SELECT downloads FROM observation WHERE package_id = ? ORDER BY visit_id", arguments: [a.rowID]),
                      [100, 200, 300, 999], "the observation view")
            try equal(try db.value(Int.self, sql: "SELECT COUNT(*) FROM observation_facts"), 3, "facts are stored once per change")
        }
    }

    func exportAndCache() throws {
        let catalog = try make()
        let a = try package(catalog, "org/a")
        try catalog.record(visit(a, commit: Self.hex("1"), blob: blob("one"), at: 0))
        try catalog.record(visit(a, commit: Self.hex("2"), blob: blob("two"), at: 10))
        try catalog.record(visit(a, commit: Self.hex("3"), parents: [Self.hex("2"), Self.hex("1")], blob: blob("three"), at: 20))
        var parents: [String: String] = [:]
        try catalog.stream(.commits) { columns, values in
            let row = Dictionary(uniqueKeysWithValues: zip(columns, values))
            parents[row["commit"]!.text] = row["parents"]!.text
        }
        try equal(parents[Self.hex("3")] ?? "", Self.hex("2") + " " + Self.hex("1"), "parents in order")
        try equal(parents[Self.hex("1")] ?? "?", "", "a root commit has no parents")
        var packages = 0
        try catalog.stream(.packages) { columns, _ in
            packages += 1
            try equal(Array(columns.prefix(3)), ["hub", "id", "repository"], "export columns")
        }
        try equal(packages, 1, "exported packages")
        let body = Data([0, 1, 2, 255, 0, 10])
        try catalog.storeHTTPCache(url: "https://h/x", etag: "\"e\"", lastModified: nil, body: body, at: Self.time(0))
        try equal(try catalog.httpCache(url: "https://h/x")?.body, body, "binary bodies round-trip")
        try catalog.storeHTTPCache(url: "https://h/x", etag: "\"f\"", lastModified: "yesterday", body: Data(), at: Self.time(1))
        try equal(try catalog.httpCache(url: "https://h/x")?.etag, "\"f\"", "a cached response is replaced")
    }

    func concurrentVisits() throws {
        let catalog = try make()
        let packages = try (0..<8).map { try package(catalog, "org/p\($0)") }
        // Every visit writes the same blob row.
        let visits = packages.indices.map { index in
            (0..<5).map { round in
                visit(packages[index], commit: String(format: "%02d%02d", index, round) + Self.hex("a").dropFirst(4), blob: blob("shared"), at: round * 10)
            }
        }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: visits.count) { index in
            do {
                for visit in visits[index] { try catalog.record(visit) }
            } catch {
                failures.add("\(error)")
            }
        }
        try equal(failures.all, [], "no visit failed")
        try equal(try catalog.status().commits, 40, "every commit")
        try equal(try catalog.status().snapshots, 40, "every snapshot")
    }

    func copyEverything() throws {
        let source = try make()
        try visitRoundTrip(into: source)
        let destination = try make()
        try source.copy(to: destination)
        for table in ExportTable.allCases {
            try equal(try rows(destination, table), try rows(source, table), "exported \(table)")
        }
        try equal(try destination.packIndexRows(), try source.packIndexRows(), "the pack index")
        try equal(try destination.snapshots(package: 1).map(\.seq), try source.snapshots(package: 1).map(\.seq), "snapshot numbers")
        // Numbers the destination assigns next follow the copied ones.
        let crawl = try destination.beginCrawl(hub: "ours", at: Self.time(999))
        try expect(crawl > (try source.crawlKey(1) == nil ? 0 : 1), "new crawl ids follow the copied ones")
        try expect((try? source.copy(to: destination)) == nil, "a catalog that is not empty takes no copy")
    }

    /// Fills `catalog` as ``visitRoundTrip()`` and the pack and LFS checks do.
    private func visitRoundTrip(into catalog: Catalog) throws {
        let a = try package(catalog, "org/a")
        let crawl = try catalog.beginCrawl(hub: "ours", at: Self.time(0))
        var first = visit(a, commit: Self.hex("c"), blob: blob("first"), at: 10)
        first.crawlID = crawl
        var observation = ObservationRecord()
        observation.cardLicense = "mit"
        first.observation = observation
        try catalog.record(first)
        try catalog.record(visit(a, commit: Self.hex("d"), parents: [Self.hex("c")], blob: blob("second"), at: 20))
        try catalog.finishCrawl(crawl, at: Self.time(30), packages: 1, failed: 0, eventful: 1)
        try catalog.saveSchedule(ScheduleRecord(packageRowID: a.rowID, nextVisit: Self.time(100), revisitSeconds: 60))
        try catalog.enqueueLFS(package: a.rowID, objects: [LFSPendingRecord(oid: ContentID.of(Data("w".utf8)), size: 1, path: "w")], at: Self.time(0))
        try catalog.storeHTTPCache(url: "https://h/x", etag: nil, lastModified: nil, body: Data([0, 1]), at: Self.time(0))
        try catalog.add([PackRecord(id: ContentID.of(Data("p".utf8)), bytes: 9,
                                    entries: [PackEntry(id: ContentID.of(Data("first".utf8)), kind: .content, compression: .none, offset: 0, length: 5, size: 5)])],
                        superseding: false)
    }

    private func rows(_ catalog: Catalog, _ table: ExportTable) throws -> [[String]] {
        var rows: [[String]] = []
        try catalog.stream(table) { _, values in rows.append(values.map(\.text)) }
        return rows
    }
}
