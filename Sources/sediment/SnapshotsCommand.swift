import ArgumentParser
import Foundation
import SedimentEngine
import SedimentStore

/// `sediment snapshots`: a package's snapshots, oldest first.
struct Snapshots: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List a package's snapshots, oldest first.",
        discussion: "EXAMPLES:\n  sediment snapshots ours:org/model-a\n  sediment snapshots hf:google-bert/bert-tiny --json")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONFlag

    @OptionGroup var named: PackageArgument

    func run() throws {
        let archive = try global.openArchive()
        let record = try archive.catalog.package(named: named.package)
        let snapshots = try archive.catalog.snapshots(package: record.rowID)
        if output.json {
            for s in snapshots {
                Output.json(.object([
                    ("snapshot", .string(s.id.hex)), ("taken_at", .string(s.takenAt)), ("head", .optional(s.head)),
                    ("head_ref", .optional(s.headRef)), ("manifest", .optional(s.manifest?.hex)),
                    ("refs", .object(s.refs.keys.sorted().map { ($0, .string(s.refs[$0]!)) })),
                ]))
            }
            return
        }
        var rows = [["SNAPSHOT", "TAKEN AT", "HEAD", "REFS"]]
        for s in snapshots {
            rows.append([s.id.short, s.takenAt, s.head.map { String($0.prefix(12)) + (s.headRef.map { " (\($0))" } ?? "") } ?? "-", "\(s.refs.count)"])
        }
        Output.table(rows)
    }
}
