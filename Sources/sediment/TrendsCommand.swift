import ArgumentParser
import Foundation
import SedimentEngine
import SedimentServe
import SedimentStore

/// `sediment trends`: hub-wide series by month, the numbers `sediment serve` plots.
struct Trends: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print hub-wide series by month: weight formats, licences and new packages.",
        discussion: """
            For each hub and month: the packages observed by the end of the month, how many of them had \
            safetensors weights and how many pickle-based weights (.bin, .pt, .pth, .ckpt, .pkl, .pickle, \
            .joblib), the packages first seen in the month, and the packages per licence ("none" when the \
            card names none). A package counts from its first observation on, with the facts of its last \
            observation up to that month. These are the numbers of `sediment serve`'s trends page.

            EXAMPLES:
              sediment trends
              sediment trends --hub hf --csv > hf-trends.csv
              sediment trends --json
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONFlag

    @Option(name: .long, help: ArgumentHelp("Only this hub (repeatable).", valueName: "name"))
    var hub: [String] = []

    @Flag(name: .long, help: "Print CSV with a header line (licences as NAME=COUNT;NAME=COUNT).")
    var csv = false

    func validate() throws {
        if csv && output.json { throw ValidationError("--csv and --json cannot be combined") }
    }

    func run() throws {
        let archive = try global.openArchive()
        let catalog = archive.catalog
        try global.checkHubs(hub, in: archive)
        let trends = HubTrends.compute(try catalog.monthlyFacts(), firstSeen: try catalog.archiveGrowth().packages)
            .filter { hub.isEmpty || hub.contains($0.hub) }
        let rows = trends.flatMap { t in t.months.map { (hub: t.hub, month: $0) } }
        func licenses(_ m: HubTrends.Month) -> [(String, Int)] {
            m.licenses.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }
        }
        if output.json {
            for row in rows {
                let m = row.month
                Output.json(.object([
                    ("hub", .string(row.hub)), ("month", .string(m.month)), ("packages", .int(Int64(m.packages))), ("new", .int(Int64(m.new))),
                    ("safetensors", .int(Int64(m.safetensors))), ("pickle", .int(Int64(m.pickle))),
                    ("licenses", .object(licenses(m).map { ($0.0, .int(Int64($0.1))) })),
                ]))
            }
            return
        }
        if csv {
            Output.line("hub,month,packages,new,safetensors,pickle,licenses")
            for row in rows {
                let m = row.month
                let licenceText = licenses(m).map { "\($0.0)=\($0.1)" }.joined(separator: ";")
                Output.line([row.hub, m.month, "\(m.packages)", "\(m.new)", "\(m.safetensors)", "\(m.pickle)", licenceText]
                    .map(Exporter.csvField).joined(separator: ","))
            }
            return
        }
        var table = [["HUB", "MONTH", "PACKAGES", "NEW", "SAFETENSORS", "PICKLE", "LICENCES"]]
        func share(_ n: Int, _ of: Int) -> String { of == 0 ? "-" : "\(n) (\(Int((Double(n) / Double(of) * 100).rounded()))%)" }
        for row in rows {
            let m = row.month
            let top = licenses(m).prefix(3).map { "\($0.0) \($0.1)" }.joined(separator: ", ") + (m.licenses.count > 3 ? ", …" : "")
            table.append([row.hub, m.month, "\(m.packages)", "\(m.new)", share(m.safetensors, m.packages), share(m.pickle, m.packages), top])
        }
        Output.table(table)
    }
}
