import ArgumentParser
import Foundation
import SedimentEngine

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The configuration file.", discussion: "Defaults to $SEDIMENT_CONFIG, then /etc/sediment/sediment.toml, then ./sediment.toml.", valueName: "path"))
    var config: String?

    /// The configuration, or a ``ConfigurationError`` (exit 2).
    func load() throws -> Configuration {
        try Configuration.load(path: config ?? Configuration.defaultPath())
    }

    /// Opens the archive read-only.
    func openArchive() throws -> Archive {
        try Archive.openForReading(load())
    }

    /// Opens the archive for writing, first saying on stderr which folder that is, so that no
    /// command writes somewhere the user did not expect (`[storage] path` defaults to
    /// /var/lib/sediment).
    func openArchiveForWriting(_ configuration: Configuration? = nil) throws -> Archive {
        let configuration = try configuration ?? load()
        Output.note(Self.archiveLine(configuration))
        return try Archive.openForWriting(configuration)
    }

    /// Fails (exit 2) when a `--hub` name is neither configured nor a hub of archived
    /// packages, naming both lists: a misspelt hub would otherwise just print nothing.
    func checkHubs(_ names: [String], in archive: Archive) throws {
        let archived = try archive.catalog.hubNames()
        let configured = archive.configuration.hubs.map(\.name)
        for name in names where !archived.contains(name) && !configured.contains(name) {
            throw ConfigurationError(file: archive.configuration.source ?? "configuration", key: "hub",
                                     problem: "no [[hub]] is named \"\(name)\" and the archive holds no package of such a hub "
                                         + "(configured: \(configured.joined(separator: ", ")); archived: \(archived.joined(separator: ", ")))")
        }
    }

    /// "archive: PATH", saying when PATH is the default.
    static func archiveLine(_ configuration: Configuration) -> String {
        let path = configuration.storage.path
        guard !configuration.storage.pathIsSet else { return "archive: \(path)" }
        return "archive: \(path) (the default: \(configuration.source ?? "the configuration") sets no [storage] path)"
    }
}

/// `--json`: JSON Lines on stdout instead of human output.
struct JSONFlag: ParsableArguments {
    @Flag(name: .long, help: "Print JSON Lines (one JSON object per line).")
    var json = false
}

/// The `PACKAGE` argument: `HUB:ID`, or `ID` when no other hub has it.
struct PackageArgument: ParsableArguments {
    @Argument(help: ArgumentHelp("The package, as HUB:ID or ID.", valueName: "package"))
    var package: String
}
