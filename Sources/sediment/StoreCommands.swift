import ArgumentParser
import Foundation
import SedimentEngine
import SedimentStore

/// `sediment rebuild-index`: the pack index in the catalog, rebuilt from the packs alone.
struct RebuildIndex: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild-index",
        abstract: "Rebuild the blob store's index in the catalog from the packs alone.",
        discussion: """
            Reads the trailer of every pack under blobs/packs/ (not the blobs themselves) and replaces the catalog's \
            pack index with what they list: after the catalog lost or damaged its index, or to index packs a crash left \
            unindexed. A pack whose trailer cannot be read is named and its blobs stay unindexed (exit 3); \
            `sediment verify` then reports the blobs that are missing. Writes to the archive, so it waits for no other \
            sediment process to hold it.

            EXAMPLES:
              sediment rebuild-index
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONFlag

    func run() throws {
        let archive = try global.openArchiveForWriting()
        let terminal = Output.stderrIsTerminal
        let rebuild = try archive.blobs.rebuildIndex { n, total in
            if terminal { Output.progress("reading pack trailers: \(n)/\(total)", after: "\r\u{1B}[K") }
        }
        if terminal { Output.progress("", after: "\r\u{1B}[K") }
        for problem in rebuild.unreadable {
            if output.json {
                Output.json(.object([("type", .string("unreadable")), ("pack", .string(problem.pack.hex)), ("message", .string("\(problem)"))]))
            } else {
                Output.line("unreadable: \(problem)")
            }
        }
        if output.json {
            Output.json(.object([("type", .string("summary")), ("packs", .int(Int64(rebuild.packs))), ("blobs", .int(Int64(rebuild.blobs))),
                                 ("unreadable", .int(Int64(rebuild.unreadable.count)))]))
        } else {
            Output.line("indexed \(Output.count(rebuild.packs, "pack")) holding \(Output.count(rebuild.blobs, "blob"))" + (rebuild.unreadable.isEmpty ? "" : "; \(Output.count(rebuild.unreadable.count, "pack")) unreadable"))
        }
        if !rebuild.unreadable.isEmpty { throw ExitCode(ExitStatus.damage) }
    }
}

/// `sediment migrate`: the loose blobs of an archive written before packs, moved into packs.
struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pack the loose blobs of an archive written before packs.",
        discussion: """
            Archives written before packs keep every blob as a file of its own (blobs/ab/<sha256>); they are read as \
            they are, so migrating is optional. It moves each blob below [storage] pack_threshold into packs, one pack \
            at a time: the pack is made durable and indexed before the loose files it holds are removed, so the command \
            may be stopped or killed at any moment and run again (it resumes). Larger objects stay files of their own. \
            A loose blob that does not hash to its name is left in place and named (exit 3; `sediment verify --repair` \
            restores it). Writes to the archive, so it waits for no other sediment process to hold it.

            EXAMPLES:
              sediment migrate
              sediment migrate --json
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONFlag

    func run() throws {
        let archive = try global.openArchiveForWriting()
        let terminal = Output.stderrIsTerminal
        let started = Date()
        let migration = try archive.blobs.migrateLegacyLayout { done, total in
            if terminal { Output.progress("migrating loose blobs: \(done.removed)/\(total) packed, \(done.packs) packs written", after: "\r\u{1B}[K") }
        }
        if terminal { Output.progress("", after: "\r\u{1B}[K") }
        let seconds = Date().timeIntervalSince(started)
        for problem in migration.damaged {
            if output.json { Output.json(.object([("type", .string("damaged")), ("message", .string(problem))])) } else { Output.line("left in place: \(problem)") }
        }
        if output.json {
            Output.json(.object([
                ("type", .string("summary")), ("packed", .int(Int64(migration.packed))), ("packs", .int(Int64(migration.packs))),
                ("removed", .int(Int64(migration.removed))), ("adopted", .int(Int64(migration.adopted))), ("large", .int(Int64(migration.large))),
                ("damaged", .int(Int64(migration.damaged.count))), ("content_bytes", .int(migration.contentBytes)),
                ("pack_bytes", .int(migration.packBytes)), ("seconds", .double(seconds)),
            ]))
        } else {
            Output.line("packed \(migration.packed) loose blobs (\(Output.bytes(migration.contentBytes))) into \(migration.packs) packs "
                        + "(\(Output.bytes(migration.packBytes))), removed \(migration.removed) loose files, left \(migration.large) large objects as they are"
                        + (migration.adopted > 0 ? ", indexed \(migration.adopted) packs an interrupted run left" : "")
                        + String(format: " in %.1f s", seconds))
        }
        if !migration.damaged.isEmpty { throw ExitCode(ExitStatus.damage) }
    }
}
