import ArgumentParser
import Foundation
import SedimentEngine
import SedimentStore

/// `sediment history`: a package's observation time series, one row a visit.
struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a package's observations over time, one row a visit.",
        discussion: "Columns as in the catalog's observation table (docs/schema.md); JSON-valued columns are JSON values with --json, JSON text in CSV.\n\nEXAMPLES:\n  sediment history hf:google-bert/bert-tiny\n  sediment history hf:google-bert/bert-tiny --csv > bert-tiny.csv")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONFlag
    @OptionGroup var named: PackageArgument

    @Flag(name: .long, help: "Print CSV with a header line.")
    var csv = false

    func validate() throws {
        if csv && output.json { throw ValidationError("--csv and --json cannot be combined") }
    }

    func run() throws {
        let archive = try global.openArchive()
        let package = try archive.catalog.package(named: named.package)
        let rows = try archive.catalog.observations(package: package.rowID)
        let columns = ["observed_at"] + Catalog.observationColumns
        if output.json {
            for row in rows {
                Output.line(Exporter.jsonLine(columns, [.text(row.observedAt)] + row.values))
            }
            return
        }
        let text = { (value: CatalogValue) in value.text }
        if csv {
            Output.line(columns.joined(separator: ","))
            for row in rows {
                Output.line(([row.observedAt] + row.values.map(text)).map(Exporter.csvField).joined(separator: ","))
            }
            return
        }
        let show = ["downloads", "likes", "commits_total", "files", "bytes", "lfs_bytes", "card_state", "card_license", "config_state",
                    "config_model_type"]
        var table = [["OBSERVED AT", "DOWNLOADS", "LIKES", "COMMITS", "FILES", "BYTES", "LFS BYTES", "CARD", "LICENSE", "CONFIG", "MODEL TYPE"]]
        for row in rows {
            let byColumn = Dictionary(uniqueKeysWithValues: zip(Catalog.observationColumns, row.values.map(text)))
            table.append([row.observedAt] + show.map { byColumn[$0].flatMap { $0.isEmpty ? nil : $0 } ?? "-" })
        }
        Output.table(table)
        // Why a card or config was unparseable: its fields are unknown at that visit, not empty.
        var reasons: [String] = []
        for row in rows {
            let byColumn = Dictionary(uniqueKeysWithValues: zip(Catalog.observationColumns, row.values.map(text)))
            for (file, column) in [("README.md", "card_problem"), ("config.json", "config_problem")] {
                if let why = byColumn[column], !why.isEmpty { reasons.append("\(row.observedAt) \(file) unparseable: \(why)") }
            }
        }
        if !reasons.isEmpty {
            Output.line("")
            for line in reasons { Output.line(line) }
        }
    }
}
