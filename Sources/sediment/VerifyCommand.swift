import ArgumentParser
import Foundation
import SedimentEngine
import SedimentStore

/// `sediment verify`: re-hash what is stored and check every reference; `--repair` restores
/// what it can.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-hash stored blobs and manifests and check every reference; exit 3 on damage left.",
        discussion: """
            Packs are read whole: each must hash to its name, and every blob in it must decompress and hash to its id; \
            a damaged blob is named with the packages and paths that use it. With --sample, a random share of the \
            blobs, manifests and packs is read, so a large archive can be verified over several runs (as restic's \
            --read-data-subset); references are always all checked. With --repair, damaged or missing blobs are restored \
            from their mirror (git blobs, checked against their SHA-256), manifests rebuilt from their commit's tree, \
            and LFS objects downloaded again from their LFS server; what cannot be restored is named, and only then \
            does verify exit 3. --repair writes to the archive, so it waits for no other sediment process to hold it.

            EXAMPLES:
              sediment verify
              sediment verify --sample 10
              sediment verify --repair --json
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONFlag

    @Option(name: .long, help: ArgumentHelp("The share of blobs, manifests and packs to read, in percent.", valueName: "percent"))
    var sample: Double = 100

    @Flag(name: .long, help: "Restore damaged or missing blobs, manifests and LFS objects from the mirrors and LFS servers.")
    var repair = false

    func validate() throws {
        guard sample > 0 && sample <= 100 else { throw ValidationError("--sample must be a percentage above 0 and at most 100") }
    }

    func run() throws {
        let archive = repair ? try global.openArchiveForWriting() : try global.openArchive()
        let terminal = Output.stderrIsTerminal
        let show = { (step: String) in if terminal { Output.progress("\(step)…", after: "\r\u{1B}[K") } }
        let report = try Verifier(archive: archive).verify(sample: sample, progress: show)
        if terminal { Output.progress("", after: "\r\u{1B}[K") }
        for problem in report.problems {
            if output.json { Output.json(Self.json(problem)) } else { Output.line("damage: \(problem.description)") }
        }

        var left = report.problems.count
        var repaired = 0
        if repair && report.damaged {
            let outcomes = Repairer(archive: archive, options: RepairOptions(archive.configuration), client: Crawler(archive: archive).client).repair(report.problems, progress: show)
            if terminal { Output.progress("", after: "\r\u{1B}[K") }
            for outcome in outcomes {
                if output.json {
                    Output.json(Self.json(outcome))
                } else if outcome.repaired {
                    Output.line("repaired: \(Self.name(outcome.damage)) from \(outcome.source ?? "its source")")
                } else {
                    Output.line("not repaired: \(Self.name(outcome.damage)): \(outcome.reason ?? "no source")")
                }
            }
            repaired = outcomes.filter(\.repaired).count
            left = outcomes.count - repaired
        }

        if output.json {
            Output.json(.object([
                ("type", .string("summary")),
                ("manifests_checked", .int(Int64(report.manifestsChecked))),
                ("blobs_checked", .int(Int64(report.blobsChecked))),
                ("references_checked", .int(Int64(report.referencesChecked))),
                ("packs_checked", .int(Int64(report.packsChecked))),
                ("unindexed_packs", .array(report.unindexedPacks.map { .string($0.hex) })),
                ("problems", .int(Int64(report.problems.count))),
                ("repaired", .int(Int64(repaired))),
                ("damaged", .int(Int64(left))),
            ]))
        } else {
            let found = report.damaged ? Output.count(report.problems.count, "problem") : "no damage"
            let fixed = repair && report.damaged ? ", \(repaired) repaired, \(left) left" : ""
            Output.line("checked \(report.manifestsChecked) manifests, \(report.blobsChecked) blobs, \(report.packsChecked) packs, \(report.referencesChecked) mirror references: \(found)\(fixed)")
        }
        for pack in report.unindexedPacks {
            Output.note("pack \(pack.hex) is not in the index (a run stopped before indexing it): sediment rebuild-index adopts it")
        }
        if !repair && report.problems.contains(where: \.isRestorable) {
            Output.note("sediment verify --repair restores damaged blobs, manifests and LFS objects from the mirrors and LFS servers")
        }
        if left > 0 { throw ExitCode(ExitStatus.damage) }
    }

    /// "blob <hex>", "LFS object <hex>", "manifest <hex>", or the problem itself when it has no id.
    static func name(_ damage: Damage) -> String {
        guard let id = damage.id else { return damage.message }
        switch damage.kind {
        case .blob: return "blob \(id.hex)"
        case .lfsObject: return "LFS object \(id.hex)"
        case .manifest: return "manifest \(id.hex)"
        default: return "\(damage.kind.rawValue) \(id.hex)"
        }
    }

    /// One problem as a JSON Lines record (docs/operations.md, "Verify and repair").
    static func json(_ damage: Damage) -> JSONValue {
        .object([
            ("type", .string("damage")),
            ("kind", .string(damage.kind.rawValue)),
            ("condition", .string(damage.condition.rawValue)),
            ("id", .optional(damage.id?.hex)),
            ("message", .string(damage.message)),
            ("used_by", .array(damage.usedBy.map(JSONValue.string))),
        ])
    }

    /// One repair attempt as a JSON Lines record.
    static func json(_ outcome: Repairer.Outcome) -> JSONValue {
        .object([
            ("type", .string("repair")),
            ("kind", .string(outcome.damage.kind.rawValue)),
            ("id", .optional(outcome.damage.id?.hex)),
            ("repaired", .bool(outcome.repaired)),
            ("source", .optional(outcome.source)),
            ("reason", .optional(outcome.reason)),
            ("message", .string(outcome.damage.message)),
        ])
    }
}
