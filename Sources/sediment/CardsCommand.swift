import ArgumentParser
import Foundation
import SedimentEngine
import SedimentStore

/// `sediment cards`: the versions of a package's model card, each keyed to its commit.
struct Cards: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the versions of a package's model card, each with the commit that made it.",
        discussion: """
            With --hub, every package of the hub that has an archived head, one after the other. \
            Follows the first-parent history of the revision (default: the latest snapshot's head) and reads \
            each version of the card (README.md) from the mirror: its size, licence, base models, front-matter \
            fields and Markdown sections. A licence change is keyed to the commit that changed the card, with \
            the licence before and after; a version whose front matter cannot be read is shown with the reason \
            and is no change (its licence is unknown).

            EXAMPLES:
              sediment cards hf:lab/chat-7b
              sediment cards lab/chat-7b --license-changes
              sediment cards lab/chat-7b --json
              sediment cards --hub hf --license-changes --json
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONFlag

    @Argument(help: ArgumentHelp("The package, as HUB:ID or ID.", valueName: "package"))
    var package: String?

    @Option(name: .long, help: ArgumentHelp("Every package of this hub instead of one (repeatable).", valueName: "name"))
    var hub: [String] = []

    @Option(name: .long, help: ArgumentHelp("The revision whose history is followed (ref, commit, snapshot or @DATE).", valueName: "rev"))
    var ref: String?

    @Flag(name: .long, help: "Only the versions that changed the licence.")
    var licenseChanges = false

    func validate() throws {
        guard (package == nil) != hub.isEmpty else { throw ValidationError("name one package, or one or more --hub") }
        if ref != nil && package == nil { throw ValidationError("--ref needs a package") }
    }

    func run() throws {
        let archive = try global.openArchive()
        guard let package else {
            try global.checkHubs(hub, in: archive)
            // Every package with an archived head; one that cannot be read is named, and the others go on.
            var failed = 0
            for record in try archive.catalog.packages(hubs: hub) where record.mirrorPath != nil {
                guard (try? archive.catalog.lastSnapshot(package: record.rowID))??.head != nil else { continue }
                do {
                    try print(record, archive: archive, heading: !output.json)
                } catch {
                    Output.error("\(record.qualifiedName): \(error)")
                    failed += 1
                }
            }
            if failed > 0 { throw ExitCode(ExitStatus.failure) }
            return
        }
        try print(try archive.catalog.package(named: package), archive: archive, heading: false)
    }

    private func print(_ record: PackageRecord, archive: Archive, heading: Bool) throws {
        let head = try RevisionResolver(archive: archive, package: record).resolve(ref).commit
        let history = CardHistory(archive: archive, package: record, limits: archive.configuration.limits.files)
        let revisions = try history.revisions(from: head).filter { !licenseChanges || $0.licenseChanged }
        if heading {
            if revisions.isEmpty { return }
            Output.line("\(record.qualifiedName):")
        }
        if output.json {
            for r in revisions {
                Output.json(.object([
                    ("package", .string(record.qualifiedName)), ("path", .string(history.cardPath)),
                    ("commit", .string(r.commit.id)), ("commit_time", .string(Exporter.isoTime(r.commit.committerTime))),
                    ("author_name", .string(r.commit.authorName)), ("change", .string(r.change)), ("state", .string(r.state)),
                    ("problem", .optional(r.problem)), ("bytes", r.bytes.map { .int(Int64($0)) } ?? .null),
                    ("license", .optional(r.license)), ("previous_license", .optional(r.previousLicense)),
                    ("license_changed", .bool(r.licenseChanged)), ("base_models", .array(r.baseModels.map(JSONValue.string))),
                    ("fields", .array(r.fields.map(JSONValue.string))), ("sections", .array(r.sections.map(JSONValue.string))),
                ]))
            }
            return
        }
        if revisions.isEmpty {
            Output.line(licenseChanges ? "no licence change in \(history.cardPath)" : "no \(history.cardPath) in this history")
            return
        }
        var rows = [["commit", "date", "change", "bytes", "licence", "fields", "sections"]]
        for r in revisions {
            var license = r.license ?? (r.state == "unparseable" ? "(unreadable)" : "-")
            if r.licenseChanged { license = "\(r.previousLicense ?? "none") -> \(r.license ?? "none")" }
            rows.append([String(r.commit.id.prefix(12)), String(Exporter.isoTime(r.commit.committerTime).prefix(10)), r.change,
                         r.bytes.map(String.init) ?? "-", license, String(r.fields.count), String(r.sections.count)])
        }
        Output.table(rows)
        for r in revisions where r.problem != nil {
            Output.line("\(String(r.commit.id.prefix(12))): front matter unreadable: \(r.problem!)")
        }
    }
}
