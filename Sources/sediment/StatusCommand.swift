import ArgumentParser
import Foundation
import SedimentEngine
import SedimentStore

/// `sediment status`: the archive at a glance.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show hubs, packages, the last crawl per hub, failing and parked packages and the store's size.",
        discussion: "EXAMPLES:\n  sediment status\n  sediment status --json")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONFlag

    func run() throws {
        let archive = try global.openArchive()
        if output.json {
            Output.json(try StatusReport.json(archive, options: QueryOptions(archive.configuration)))
            return
        }
        let s = try archive.catalog.status()
        Output.line("archive \(archive.configuration.storage.path)")
        Output.line("")
        if s.hubs.isEmpty {
            Output.line("no hub crawled yet")
        } else {
            let schedule = try StatusReport.Schedule(archive, daemon: archive.configuration.daemon)
            var rows = [["HUB", "KIND", "PACKAGES", "LAST CRAWL", "VISITED", "FAILED", "NEXT LISTING"]]
            for hub in s.hubs {
                var gone: [String] = []
                if hub.deleted > 0 { gone.append("\(hub.deleted) deleted") }
                if hub.unlisted > 0 { gone.append("\(hub.unlisted) unlisted") }
                rows.append([hub.name, hub.kind, "\(hub.packages)" + (gone.isEmpty ? "" : " (\(gone.joined(separator: ", ")))"), Self.lastCrawl(hub),
                             "\(hub.lastCrawlPackages)", "\(hub.lastCrawlFailed)",
                             schedule.nextListing[hub.name].map(Catalog.timestamp) ?? "at once"])
            }
            Output.table(rows)
            for hub in s.hubs {
                if let error = hub.lastCrawlError { Output.line("hub \(hub.name): the last crawl could not list it: \(error)") }
                if !hub.lastCrawlSkipped.isEmpty {
                    Output.line("hub \(hub.name): the last crawl skipped \(hub.lastCrawlSkipped.count) listed entr\(hub.lastCrawlSkipped.count == 1 ? "y" : "ies"):")
                    for skipped in hub.lastCrawlSkipped { Output.line("  \(skipped)") }
                }
            }
            if let due = schedule.nextDue {
                Output.line("next due package (daemon): \(due.package) at \(due.nextVisit ?? "once (never visited by the daemon)")")
            }
            for visit in schedule.running {
                Output.line("visiting \(visit.package) since \(visit.startedAt)" + (visit.pid.map { " (pid \($0))" } ?? ""))
            }
        }
        let workers = try archive.catalog.workers()
        if !workers.isEmpty {
            Output.line("")
            var rows = [["WORKER", "STATE", "HEARTBEAT", "STORAGE", "LEASES"]]
            for worker in workers {
                rows.append(["\(worker.host) pid \(worker.pid)", StatusReport.workerState(worker), Catalog.timestamp(worker.heartbeatAt),
                             worker.storage, worker.leases.isEmpty ? "-" : worker.leases.joined(separator: ",")])
            }
            Output.table(rows)
        }
        Output.line("")
        Output.line("repositories \(s.repositories), commits \(s.commits), snapshots \(s.snapshots), manifests \(s.manifests), lost refs \(s.lostRefs)")
        Output.line("blobs \(s.blobs) known, \(s.storedBlobs) stored (\(Output.bytes(s.storedBytes))), LFS pointers \(s.lfsPointers)")
        Output.line("packs \(s.packs) (\(Output.bytes(s.packBytes)) on disk) holding \(Output.count(s.packedBlobs, "blob"))")
        Output.line("LFS objects \(s.lfsObjectsStored) stored (\(Output.bytes(s.lfsBytesStored))), \(s.lfsObjectsPending) pending (\(Output.bytes(s.lfsBytesPending)))"
                    + (archive.configuration.storage.lfs == "fetch" ? "" : "; storage.lfs = \"pointers\""))
        if !s.failing.isEmpty {
            Output.line("")
            Output.line("failing packages:")
            for f in s.failing {
                Output.line("  \(f.package): \(f.consecutive) failed visit\(f.consecutive == 1 ? "" : "s") since \(f.since): \(f.error)")
            }
        }
        let parked = try archive.catalog.parkedPackages()
        if !parked.isEmpty {
            Output.line("")
            Output.line("parked packages (retried every daemon.parked_revisit, or at once when the hub's listing changes; "
                        + "quarantined ones only then or after `sediment unpark`):")
            for p in parked {
                if p.quarantined {
                    Output.line("  \(p.package): quarantined \(p.parkedAt): \(ScheduleRecord.crashReason) (\(p.crashes) crashes in a row "
                                + "during its visits); retried after `sediment unpark \(p.package)` or a new version")
                } else {
                    Output.line("  \(p.package): parked \(p.parkedAt) after \(p.consecutiveFailures) failures; next try \(p.nextVisit)")
                }
            }
        }
    }

    /// When the last crawl ended and how, or that it is running.
    static func lastCrawl(_ hub: ArchiveStatus.Hub) -> String {
        guard let started = hub.lastCrawlStarted else { return "never" }
        switch hub.lastCrawlState {
        case .running?: return "running (pid \(hub.lastCrawlPID.map(String.init) ?? "?")) since \(started)"
        case .finished?: return hub.lastCrawlFinished ?? started
        case .failed?: return "\(hub.lastCrawlFinished ?? started) (failed)"
        case .interrupted?, nil: return "\(hub.lastCrawlFinished ?? started) (interrupted)"
        }
    }
}
