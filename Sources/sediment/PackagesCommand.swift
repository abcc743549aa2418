import ArgumentParser
import Foundation
import SedimentEngine
import SedimentStore

/// `sediment packages`: the known packages.
struct Packages: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the known packages.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONFlag

    @Option(name: .long, help: ArgumentHelp("Only this hub's packages (repeatable).", valueName: "name"))
    var hub: [String] = []

    func run() throws {
        let archive = try global.openArchive()
        let packages = try archive.catalog.packages(hubs: hub)
        if output.json {
            for p in packages {
                Output.json(.object([
                    ("hub", .string(p.hub)), ("id", .string(p.id)), ("repository", .optional(p.repository)),
                    ("subpath", .string(p.subpath)), ("first_seen", .string(p.firstSeen)), ("last_seen", .string(p.lastSeen)),
                    ("deleted", .bool(p.deleted)),
                ]))
            }
            return
        }
        var rows = [["PACKAGE", "REPOSITORY", "FIRST SEEN", "LAST SEEN"]]
        for p in packages {
            rows.append([p.qualifiedName + (p.deleted ? " (deleted)" : ""), (p.repository ?? "-") + (p.subpath.isEmpty ? "" : " [\(p.subpath)]"),
                         p.firstSeen, p.lastSeen])
        }
        Output.table(rows)
    }
}
