import ArgumentParser
import Foundation
import SedimentEngine
import SedimentStore

/// `sediment status`: the archive at a glance.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show hubs, packages, the last crawl per hub, failing packages and the store's size.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONFlag

    func run() throws {
        let archive = try global.openArchive()
        let s = try archive.catalog.status()
        if output.json {
            Output.json(.object([
                ("storage", .string(archive.configuration.storage.path)),
                ("hubs", .array(s.hubs.map { hub in
                    .object([("name", .string(hub.name)), ("kind", .string(hub.kind)), ("packages", .int(Int64(hub.packages))),
                             ("deleted", .int(Int64(hub.deleted))), ("last_crawl_started", .optional(hub.lastCrawlStarted)),
                             ("last_crawl_finished", .optional(hub.lastCrawlFinished)), ("last_crawl_packages", .int(Int64(hub.lastCrawlPackages))),
                             ("last_crawl_failed", .int(Int64(hub.lastCrawlFailed))), ("last_crawl_error", .optional(hub.lastCrawlError))])
                })),
                ("failing", .array(s.failing.map { f in
                    .object([("package", .string(f.package)), ("since", .string(f.since)), ("consecutive_failures", .int(Int64(f.consecutive))),
                             ("error", .string(f.error))])
                })),
                ("repositories", .int(Int64(s.repositories))), ("commits", .int(Int64(s.commits))), ("snapshots", .int(Int64(s.snapshots))),
                ("manifests", .int(Int64(s.manifests))), ("blobs", .int(Int64(s.blobs))), ("stored_blobs", .int(Int64(s.storedBlobs))),
                ("stored_bytes", .int(s.storedBytes)), ("lfs_pointers", .int(Int64(s.lfsPointers))),
                ("lfs_objects_stored", .int(Int64(s.lfsObjectsStored))), ("lfs_bytes_stored", .int(s.lfsBytesStored)),
                ("lfs_objects_pending", .int(Int64(s.lfsObjectsPending))), ("lfs_bytes_pending", .int(s.lfsBytesPending)), ("lost_refs", .int(Int64(s.lostRefs))),
            ]))
            return
        }
        Output.line("archive \(archive.configuration.storage.path)")
        Output.line("")
        if s.hubs.isEmpty {
            Output.line("no hub crawled yet")
        } else {
            var rows = [["HUB", "KIND", "PACKAGES", "LAST CRAWL", "VISITED", "FAILED"]]
            for hub in s.hubs {
                let when = hub.lastCrawlFinished ?? hub.lastCrawlStarted.map { "\($0) (unfinished)" } ?? "never"
                rows.append([hub.name, hub.kind, "\(hub.packages)\(hub.deleted > 0 ? " (\(hub.deleted) deleted)" : "")", when,
                             "\(hub.lastCrawlPackages)", "\(hub.lastCrawlFailed)"])
            }
            Output.table(rows)
            for hub in s.hubs {
                if let error = hub.lastCrawlError { Output.line("hub \(hub.name): the last crawl could not list it: \(error)") }
            }
        }
        Output.line("")
        Output.line("repositories \(s.repositories), commits \(s.commits), snapshots \(s.snapshots), manifests \(s.manifests), lost refs \(s.lostRefs)")
        Output.line("blobs \(s.blobs) known, \(s.storedBlobs) stored (\(Output.bytes(s.storedBytes))), LFS pointers \(s.lfsPointers)")
        Output.line("LFS objects \(s.lfsObjectsStored) stored (\(Output.bytes(s.lfsBytesStored))), \(s.lfsObjectsPending) pending (\(Output.bytes(s.lfsBytesPending)))"
                    + (archive.configuration.storage.lfs == "fetch" ? "" : "; storage.lfs = \"pointers\""))
        if !s.failing.isEmpty {
            Output.line("")
            Output.line("failing packages:")
            for f in s.failing {
                Output.line("  \(f.package): \(f.consecutive) failed visit\(f.consecutive == 1 ? "" : "s") since \(f.since): \(f.error)")
            }
        }
    }
}
