import ArgumentParser
import Foundation
import SedimentEngine
import SedimentStore

/// `sediment rebuild`: a catalog and mirrors rebuilt from the store alone.
struct Rebuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild an archive's catalog and git mirrors from its store alone.",
        discussion: """
            Creates the storage folder PATH (refused when it holds a catalog or mirrors already) and rebuilds in it: the \
            pack index from the store's packs, the catalog by replaying every visit and crawl record under records/ in \
            the order they were written, and each bare mirror by indexing its git packs under git/ with libgit2's indexer \
            and setting its refs (the latest visit's, and the lost refs under their archived names). A local store \
            becomes PATH/blobs (a symbolic link to it when it lies elsewhere). Progress goes to stderr, then one summary \
            line. A damaged record is named and the others are replayed (exit 3); a record of a newer format than this \
            version reads is named (exit 1). What the store does not keep is not rebuilt: the visit schedule, the HTTP \
            cache, LFS objects still pending (the next visits queue them again). See docs/operations.md.

            EXAMPLES:
              sediment rebuild --store /var/lib/sediment/blobs --into /var/lib/sediment-rebuilt
              sediment rebuild --store s3://bucket/archive --into /var/lib/sediment
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONFlag

    @Option(name: .long, help: ArgumentHelp("The store: a local folder (an archive's blobs folder).", valueName: "url"))
    var store: String

    @Option(name: .long, help: ArgumentHelp("The new storage folder to rebuild into.", valueName: "path"))
    var into: String

    func run() throws {
        // The configuration gives pack settings only; without one, the defaults.
        let configuration = try global.config.map { try Configuration.load(path: $0) } ?? Configuration()
        let location = try StoreLocation(parsing: store)
        let folder = URL(fileURLWithPath: into, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL.path
        Output.note("rebuilding \(folder) from the store \(location)")
        let terminal = Output.stderrIsTerminal
        var lastStep = ""
        let report = try Rebuilder(store: location, into: folder, configuration: configuration).run { step, done, total in
            if terminal {
                Output.progress("\(step): \(done)/\(total)", after: "\r\u{1B}[K")
            } else if step != lastStep {
                Output.note("\(step) (\(total))")
                lastStep = step
            }
        }
        if terminal { Output.progress("", after: "\r\u{1B}[K") }
        let problems: [(String, [String])] = [("damaged", report.damaged), ("newer", report.newer), ("mirror", report.mirrorProblems),
                                              ("unreadable", report.unreadablePacks)]
        for (kind, lines) in problems {
            for line in lines {
                if output.json { Output.json(.object([("type", .string(kind)), ("message", .string(line))])) } else { Output.line("\(kind): \(line)") }
            }
        }
        if output.json {
            Output.json(.object([
                ("type", .string("summary")), ("visits", .int(Int64(report.visits))), ("crawl_records", .int(Int64(report.crawlRecords))),
                ("index_records", .int(Int64(report.indexRecords))),
                ("mirrors", .int(Int64(report.mirrors))), ("git_packs", .int(Int64(report.gitPacks))), ("packs", .int(Int64(report.indexedPacks))),
                ("blobs", .int(Int64(report.indexedBlobs))), ("lfs_objects", .int(Int64(report.lfsObjects))),
                ("damaged", .int(Int64(report.damaged.count))), ("newer", .int(Int64(report.newer.count))),
            ]))
        } else {
            Output.line("rebuilt \(folder): \(Output.count(report.visits, "visit")), \(report.crawlRecords) crawl and \(report.indexRecords) index records replayed, "
                        + "\(Output.count(report.mirrors, "mirror")) from \(Output.count(report.gitPacks, "git pack")), "
                        + "\(Output.count(report.indexedPacks, "pack")) holding \(Output.count(report.indexedBlobs, "blob")) indexed, "
                        + Output.count(report.lfsObjects, "LFS object")
                        + (report.damaged.isEmpty ? "" : "; \(Output.count(report.damaged.count, "record")) damaged")
                        + (report.newer.isEmpty ? "" : "; \(Output.count(report.newer.count, "record")) of a newer format")
                        + (report.mirrorProblems.isEmpty ? "" : "; \(Output.count(report.mirrorProblems.count, "mirror problem"))"))
        }
        if !report.newer.isEmpty { throw ExitCode(ExitStatus.failure) }
        if !report.damaged.isEmpty || !report.mirrorProblems.isEmpty || !report.unreadablePacks.isEmpty { throw ExitCode(ExitStatus.damage) }
    }
}
