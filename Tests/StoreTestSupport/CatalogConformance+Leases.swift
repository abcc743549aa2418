import Foundation
import SedimentStore

extension CatalogConformance {
    func leases() throws {
        let catalog = try make()
        for name in ["a", "b", "c"] {
            try catalog.registerWorker(WorkerRecord(id: name, host: "h", pid: 1, storage: "/s/" + name, startedAt: Self.time(0), heartbeatAt: Self.time(0)))
        }
        try equal(try catalog.claim("r", worker: "a", at: Self.time(0), until: Self.time(60)), nil, "a free lease is taken")
        try equal(try catalog.claim("r", worker: "b", at: Self.time(10), until: Self.time(70))?.worker, "a", "a held lease names its holder")
        try equal(try catalog.claim("r", worker: "a", at: Self.time(20), until: Self.time(80)), nil, "its holder renews it")
        try equal(try catalog.heartbeat(worker: "a", at: Self.time(30), renewingUntil: Self.time(90)), ["r"], "the heartbeat names the leases held")
        try equal(try catalog.claim("r", worker: "b", at: Self.time(85), until: Self.time(145))?.expiresAt, Self.time(90), "the heartbeat renews it")
        try equal(try catalog.claim("r", worker: "b", at: Self.time(91), until: Self.time(151)), nil, "an expired lease is anyone's")
        try equal(try catalog.heartbeat(worker: "a", at: Self.time(92), renewingUntil: Self.time(152)), [], "a lease taken over is no longer renewed")
        try catalog.release("r", worker: "a")
        try equal(try catalog.claim("r", worker: "a", at: Self.time(92), until: Self.time(152))?.worker, "b", "only the holder releases")
        try equal(try catalog.claim("r", worker: "c", at: Self.time(93), until: Self.time(153), replacing: "b"), nil, "a dead holder's lease is taken")
        try equal(try catalog.claim("s", worker: "c", at: Self.time(93), until: Self.time(153)), nil, "a second lease")
        try equal(try catalog.workers().first { $0.id == "c" }?.leases ?? [], ["r", "s"], "a worker's leases")
        try catalog.stopWorker("c", at: Self.time(100))
        let c = try catalog.workers().first { $0.id == "c" }
        try equal(c?.leases ?? ["?"], [], "a stopped worker holds nothing")
        try equal(c?.stoppedAt, Self.time(100), "the stop is recorded")
        try equal(try catalog.claim("r", worker: "a", at: Self.time(101), until: Self.time(161)), nil, "a stopped worker's lease is free")
    }

    func concurrentClaims() throws {
        let catalog = try make()
        let names = (0..<8).map { "w\($0)" }
        for name in names {
            try catalog.registerWorker(WorkerRecord(id: name, host: "h", pid: 1, storage: "/s", startedAt: Self.time(0), heartbeatAt: Self.time(0)))
        }
        let winners = Failures(), failures = Failures()
        DispatchQueue.concurrentPerform(iterations: names.count) { index in
            do {
                if try catalog.claim("listing:hf", worker: names[index], at: Self.time(0), until: Self.time(60)) == nil { winners.add(names[index]) }
            } catch {
                failures.add("\(error)")
            }
        }
        try equal(failures.all, [], "no claim failed")
        try equal(winners.all.count, 1, "one worker holds the lease (\(winners.all))")
    }
}

extension CatalogConformance {
    /// What a fleet shares beyond leases: the stored listing, the last visit of a package,
    /// a repository's archived refs, and abandoned work closed only for workers that are gone.
    func fleetSharing() throws {
        let catalog = try make()
        let a = try package(catalog, "org/a"), b = try package(catalog, "org/b")
        try equal(try catalog.hubListedAt("ours"), nil, "never listed")
        try catalog.storeListing(hub: "ours", at: Self.time(5), worker: "w1", refs: [(b.rowID, "{\"id\":\"org/b\"}"), (a.rowID, "{\"id\":\"org/a ?\"}")])
        try catalog.storeListing(hub: "ours", at: Self.time(10), worker: "w2", refs: [(b.rowID, "{\"id\":\"org/b\"}"), (a.rowID, "{\"id\":\"org/a\"}")])
        try equal(try catalog.hubListedAt("ours"), Self.time(10), "the latest listing's time")
        try equal(try catalog.listedRefs(hub: "ours"), ["{\"id\":\"org/a\"}", "{\"id\":\"org/b\"}"], "the latest listing, by package id")
        try equal(try catalog.lastVisitFinished(package: a.rowID), nil, "never visited")
        try catalog.record(visit(a, commit: Self.hex("c"), blob: blob("one"), at: 20))
        try equal(try catalog.lastVisitFinished(package: a.rowID), Self.time(21), "the last visit's end")
        try equal(try catalog.hostPausedUntil("hub.example:443"), nil, "no pause yet")
        try catalog.pauseHost("hub.example:443", until: Self.time(50))
        try catalog.pauseHost("hub.example:443", until: Self.time(40))
        try equal(try catalog.hostPausedUntil("hub.example:443"), Self.time(50), "the later pause stands")
        let refs = try catalog.archivedRefs(repository: a.repositoryRowID!)
        try equal(refs?.url, "git://h/org/a.git", "the repository's URL")
        try equal(refs?.refs ?? [:], ["refs/heads/main": Self.hex("c")], "its archived refs")

        // Crawls of a gone worker are closed; a live worker's are left running.
        let live = try catalog.beginCrawl(hub: "ours", at: Self.time(30), worker: "live")
        let gone = try catalog.beginCrawl(hub: "ours", at: Self.time(30), worker: "gone")
        try catalog.visitStarted(package: a.rowID, crawl: live, at: Self.time(31), worker: "live")
        try catalog.visitStarted(package: b.rowID, crawl: gone, at: Self.time(31), listing: "v1", worker: "gone")
        let crashed = try catalog.closeAbandonedCrawls(countingCrashes: true, at: Self.time(40), scope: (gone: ["gone"], crashed: ["gone"]))
        try equal(crashed.map(\.package), ["ours:org/b"], "only the gone worker's visit counts a crash")
        let states = try catalog.database.read { db in try db.rows(sql: "SELECT id, state FROM crawl ORDER BY id").map { "\($0["id"] as Int64) \($0["state"] as String)" } }
        try equal(states, ["\(live) running", "\(gone) interrupted"], "only the gone worker's crawl is closed")
        let running = try catalog.database.read { db in try db.values(Int64.self, sql: "SELECT package_id FROM visit_running") }
        try equal(running, [a.rowID], "the live worker's visit is still running")
    }
}

extension CatalogConformance {
    /// A visit's hub metadata is stored when it differs from the package's last stored
    /// metadata other than in its metrics (downloads, likes, …: the observation keeps them).
    func metadataAsItChanged() throws {
        let catalog = try make()
        let a = try package(catalog, "org/a")
        var first = visit(a, commit: Self.hex("c"), blob: blob("one"), at: 10)
        first.metadata = #"{"downloads":1,"likes":0,"sha":"c"}"#
        try catalog.record(first)
        var second = visit(a, commit: Self.hex("d"), parents: [Self.hex("c")], blob: blob("two"), at: 20)
        second.metadata = #"{"downloads":7,"likes":1,"sha":"d"}"#
        try catalog.record(second)
        var third = VisitRecord(packageRowID: a.rowID, repositoryRowID: a.repositoryRowID, crawlID: nil, startedAt: Self.time(30),
                                finishedAt: Self.time(31), status: .full, eventful: false, error: nil)
        third.metadata = #"{"likes":2,"sha":"d","downloads":9}"#
        try catalog.record(third)
        try equal(try catalog.metadata(package: a.rowID).map(\.json), [#"{"downloads":1,"likes":0,"sha":"c"}"#, #"{"downloads":7,"likes":1,"sha":"d"}"#],
                  "metadata that changed only in its metrics is not stored again")
        third.metadata = #"{"downloads":9,"likes":2,"sha":"d","tags":["new"]}"#
        third.startedAt = Self.time(40)
        third.finishedAt = Self.time(41)
        try catalog.record(third)
        try equal(try catalog.metadata(package: a.rowID).count, 3, "metadata that changed otherwise is stored")
    }
}
