import ArgumentParser
import Foundation
import SedimentEngine
import SedimentStore

/// `sediment unpark`: puts parked or quarantined packages back in the schedule.
struct Unpark: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put a parked or quarantined package back in the schedule.",
        discussion: """
            A package is parked after daemon.park_after failed visits in a row, and quarantined (parked with the reason \
            "crashed the process") when a visit of it was in progress during two crashes of the process in a row. Unparking forgets \
            its failures and crashes and makes it due at once: the next crawl visits it (the daemon's next crawl of its hub, \
            or `sediment sync`). Works while the daemon runs.

            EXAMPLES:
              sediment unpark hf:org/model
              sediment unpark hf:org/a hf:org/b --json
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONFlag

    @Argument(help: ArgumentHelp("The packages, as HUB:ID or ID.", valueName: "package"))
    var packages: [String]

    func validate() throws {
        if packages.isEmpty { throw ValidationError("name at least one package to unpark") }
    }

    func run() throws {
        let configuration = try global.load()
        // Read-only first: it upgrades an older catalog (under the storage lock) when needed.
        let archive = try Archive.openForReading(configuration)
        let records = try packages.map { try archive.catalog.package(named: $0) }
        // The storage lock is not taken: the daemon holds it while it runs, and this is one
        // row per package in a catalog made for concurrent writers. Its next crawl sees it.
        let catalog = try configuration.catalogLocation.open()
        let now = Date()
        for record in records {
            let done = try catalog.unpark(package: record.rowID, at: now)
            let state = done.map { $0.wasQuarantined ? "quarantined" : $0.wasParked ? "parked" : "not parked" } ?? "not parked"
            if output.json {
                Output.json(.object([("package", .string(record.qualifiedName)), ("was", .string(state)),
                                     ("unparked", .bool(done?.wasParked == true))]))
            } else if done?.wasParked == true {
                Output.line("\(record.qualifiedName): unparked (it was \(state)); it is due at once")
            } else {
                Output.line("\(record.qualifiedName): was not parked; nothing to do")
            }
        }
    }
}
