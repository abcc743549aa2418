import ArgumentParser
import Foundation
import Logging
import SedimentEngine
import SedimentStore

/// `sediment sync`: one crawl now, in the foreground.
struct Sync: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Crawl the configured hubs once, now, and archive what changed.",
        discussion: "Exits 1 if any visit failed, after finishing the others.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONFlag

    @Option(name: .long, help: ArgumentHelp("Crawl only this hub (repeatable).", valueName: "name"))
    var hub: [String] = []

    @Option(name: .long, help: ArgumentHelp("Visit only this package, as ID or HUB:ID (repeatable).", valueName: "id"))
    var package: [String] = []

    func run() throws {
        let configuration = try global.load()
        for name in hub where !configuration.hubs.contains(where: { $0.name == name }) {
            throw ConfigurationError(file: configuration.source ?? "configuration", key: "hub",
                                     problem: "no [[hub]] is named \"\(name)\" (configured: \(configuration.hubs.map(\.name).joined(separator: ", ")))")
        }
        let archive = try global.openArchiveForWriting(configuration)
        var logger = Logger(label: "sediment.sync")
        logger.logLevel = .critical
        let display = ProgressDisplay(json: output.json, terminal: Output.stderrIsTerminal)
        let report = try Crawler(archive: archive, logger: logger).crawl(.init(hubs: hub, packages: package)) { event in
            display.handle(event)
        }
        display.finish(report.outcomes, hubErrors: report.hubErrors, skipped: report.skipped.count)
        if report.failed { throw ExitCode(ExitStatus.failure) }
    }
}
