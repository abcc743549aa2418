import ArgumentParser
import Foundation
import SedimentEngine
import SedimentStore

/// `sediment catalog`: commands on the catalog database itself.
struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "Commands on the catalog database itself.",
        discussion: "EXAMPLES:\n  sediment catalog copy --to postgresql://sediment@db.example/sediment",
        subcommands: [CatalogCopy.self])
}

/// `sediment catalog copy`: an archive's catalog moved to another database, SQLite or PostgreSQL.
struct CatalogCopy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a catalog into a new, empty database (SQLite to PostgreSQL, or back).",
        discussion: """
            Copies every row of the catalog at --from (by default, the archive's own, as the configuration names \
            it) into the catalog at --to, which is created and migrated when \
            needed and must hold no rows: in one transaction there, keeping row ids, so the archive's mirrors, store \
            and records still match it. Both sides' tables are counted afterwards. Stop the daemon first: what it \
            writes during the copy is not copied. Then point the configuration at the new catalog ([catalog] url).

            Locations are sqlite:PATH (or a plain path) and postgresql://USER@HOST:PORT/DATABASE?sslmode=MODE; the \
            password comes from PGPASSWORD, $CREDENTIALS_DIRECTORY/catalog_password or the passfile (~/.pgpass), never \
            from the URL.

            EXAMPLES:
              sediment catalog copy --from sqlite:/var/lib/sediment/catalog.sqlite \\
                  --to postgresql://sediment@db.internal:5432/sediment?sslmode=verify-full
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "The catalog to copy: sqlite:PATH or postgresql://USER@HOST:PORT/DATABASE (default: the configuration's).")
    var from: String?

    @Option(help: "The new catalog: sqlite:PATH or postgresql://USER@HOST:PORT/DATABASE (empty).")
    var to: String

    @OptionGroup var output: JSONFlag

    func run() throws {
        let source: CatalogLocation, destination: CatalogLocation
        do {
            if let from {
                source = try CatalogLocation(parsing: from).resolved(against: FileManager.default.currentDirectoryPath)
            } else {
                source = try global.load().catalogLocation
            }
            destination = try CatalogLocation(parsing: to).resolved(against: FileManager.default.currentDirectoryPath)
        } catch {
            Output.error("\(error)")
            throw ExitCode(ExitStatus.usage)
        }
        guard source != destination else {
            Output.error("--from and --to name the same catalog (\(source))")
            throw ExitCode(ExitStatus.usage)
        }
        let terminal = Output.stderrIsTerminal
        do {
            let reading = try source.openForReading()
            let writing = try destination.open()
            var copied: [(table: String, rows: Int)] = []
            try reading.copy(to: writing) { step in
                if terminal { Output.progress("copying \(step.table): \(step.rows)/\(step.total)", after: "\r\u{1B}[K") }
                if step.rows == step.total {
                    copied.append((step.table, step.total))
                }
            }
            if terminal { Output.progress("", after: "\r\u{1B}[K") }
            let rows = copied.reduce(0) { $0 + $1.rows }
            if output.json {
                Output.json(.object([("type", .string("summary")), ("from", .string(source.description)), ("to", .string(destination.description)),
                                     ("tables", .int(Int64(copied.count))), ("rows", .int(Int64(rows)))]))
            } else {
                Output.line("copied \(rows) rows in \(copied.count) tables from \(source) to \(destination)")
            }
        } catch {
            Output.error("\(error)")
            throw ExitCode(ExitStatus.failure)
        }
    }
}
