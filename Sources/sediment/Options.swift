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
