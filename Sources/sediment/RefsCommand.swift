import ArgumentParser
import Foundation
import SedimentEngine
import SedimentStore

/// `sediment refs`: a package's archived refs, and the lost refs Sediment keeps.
struct Refs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List a package's refs as last fetched, and its lost refs.",
        discussion: "A lost ref is a tip that upstream force-pushed away or deleted; Sediment keeps it under refs/sediment/lost/.\n\nEXAMPLES:\n  sediment refs org/model-a\n  sediment refs org/model-a --lost --json")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONFlag

    @OptionGroup var named: PackageArgument

    @Flag(name: .long, help: "Only the lost refs.")
    var lost = false

    func run() throws {
        let archive = try global.openArchive()
        let record = try archive.catalog.package(named: named.package)
        guard let repository = record.repositoryRowID else { return }
        let current = lost ? [:] : try archive.catalog.refTips(repository: repository)
        let lostRefs = try archive.catalog.lostRefs(repository: repository)
        if output.json {
            for name in current.keys.sorted() {
                Output.json(.object([("name", .string(name)), ("target", .string(current[name]!)), ("state", .string("current"))]))
            }
            for l in lostRefs {
                Output.json(.object([
                    ("name", .string(l.name)), ("target", .string(l.target)), ("state", .string("lost")), ("archived_as", .string(l.archivedAs)),
                    ("reason", .string(l.reason)), ("replaced_by", .optional(l.replacedBy)), ("lost_at", .string(l.lostAt)),
                ]))
            }
            return
        }
        var rows: [[String]] = []
        for name in current.keys.sorted() { rows.append([current[name]!, name, ""]) }
        for l in lostRefs {
            rows.append([l.target, l.archivedAs, "lost: \(l.name) \(l.reason) at \(l.lostAt)"])
        }
        Output.table(rows)
    }
}
