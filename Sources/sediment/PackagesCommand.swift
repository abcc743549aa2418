import ArgumentParser
import Foundation
import SedimentEngine
import SedimentStore

/// `sediment packages`: the known packages.
struct Packages: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the packages the hubs list.",
        discussion: "With --all, also the packages deleted upstream and those no longer listed; their archive stays.\n\nEXAMPLES:\n  sediment packages\n  sediment packages --hub hf --all --json")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONFlag

    @Option(name: .long, help: ArgumentHelp("Only this hub's packages (repeatable).", valueName: "name"))
    var hub: [String] = []

    @Flag(name: .long, help: "Also list the packages deleted upstream and those their hub no longer lists (their archive stays).")
    var all = false

    func run() throws {
        let archive = try global.openArchive()
        try global.checkHubs(hub, in: archive)
        let packages = try archive.catalog.packages(hubs: hub).filter { all || Self.state(of: $0) == "listed" }
        if output.json {
            for p in packages {
                Output.json(.object([
                    ("hub", .string(p.hub)), ("id", .string(p.id)), ("repository", .optional(p.repository)),
                    ("subpath", .string(p.subpath)), ("first_seen", .string(p.firstSeen)), ("last_seen", .string(p.lastSeen)),
                    ("deleted", .bool(p.deleted)), ("unlisted", .bool(p.unlisted)), ("state", .string(Self.state(of: p))),
                ]))
            }
            return
        }
        var rows = [["PACKAGE", "REPOSITORY", "FIRST SEEN", "LAST SEEN"]]
        for p in packages {
            let state = Self.state(of: p)
            rows.append([p.qualifiedName + (state == "listed" ? "" : " (\(state))"), (p.repository ?? "-") + (p.subpath.isEmpty ? "" : " [\(p.subpath)]"),
                         p.firstSeen, p.lastSeen])
        }
        Output.table(rows)
    }

    /// `listed` (followed), `unlisted` (its hub no longer lists it) or `deleted` (gone upstream).
    static func state(of package: PackageRecord) -> String {
        package.deleted ? "deleted" : package.unlisted ? "unlisted" : "listed"
    }
}
