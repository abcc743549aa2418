import ArgumentParser
import Foundation
import SedimentEngine

/// `sediment export`: the catalog for other tools.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export the catalog as PTMTorrent records, JSON Lines or CSV.",
        discussion: """
            ptmtorrent writes <hub>.json per hub in the PTMTorrent dataset's uniform schema. jsonl and csv write \
            packages, snapshots, observations, commits and manifest_entries, one file each (csv with a header line).

            EXAMPLES:
              sediment export --format jsonl --out export/
              sediment export --format ptmtorrent --out ptmtorrent/
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("ptmtorrent, jsonl or csv.", valueName: "format"))
    var format: String

    @Option(name: .long, help: ArgumentHelp("The folder to write into (created when absent).", valueName: "dir"))
    var out: String

    func validate() throws {
        guard Exporter.Format(rawValue: format) != nil else {
            throw ValidationError("--format must be one of \(Exporter.Format.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(format)\"")
        }
    }

    func run() throws {
        let archive = try global.openArchive()
        for (file, records) in try Exporter(archive: archive, options: QueryOptions(archive.configuration)).export(Exporter.Format(rawValue: format)!, to: out) {
            Output.line("\(file): \(Output.count(records, "record"))")
        }
    }
}
