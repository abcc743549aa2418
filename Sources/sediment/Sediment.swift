import ArgumentParser
import Foundation
import SedimentEngine

/// The `sediment` command: an archival mirror of pre-trained model hubs. Async, so that
/// `sediment daemon` runs its services on Swift's executors; the other commands are plain.
@main
struct Sediment: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sediment",
        abstract: "Archive pre-trained model repositories incrementally and query the archive.",
        discussion: "EXAMPLES:\n  sediment sync && sediment status\n  sediment diff org/model-a v1.0 main\n  sediment serve",
        version: "0.1.0",
        subcommands: [DaemonCommand.self, Sync.self, ServeCommand.self, Trends.self, Turnover.self, Lineage.self, Cards.self, Status.self, Packages.self, Log.self, Snapshots.self, History.self, Show.self, Diff.self, Refs.self, Export.self, Reuse.self, Verify.self, RebuildIndex.self, Rebuild.self, Migrate.self, Unpark.self, CatalogCommand.self]
    )
}

/// Exit statuses of SPEC.md.
enum ExitStatus {
    static let failure: Int32 = 1
    static let usage: Int32 = 2
    static let damage: Int32 = 3
}

extension Sediment {
    static func main() async {
        do {
            var command = try Sediment.parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as ConfigurationError {
            Output.error(error.description)
            Foundation.exit(ExitStatus.usage)
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch {
            let code = Sediment.exitCode(for: error)
            if code == .success {
                Sediment.exit(withError: error)
            }
            if code == .validationFailure {
                // A usage error: the message with the one error prefix, then the usage.
                Output.error(Sediment.message(for: error))
                let usage = Sediment.fullMessage(for: error).components(separatedBy: "\n").drop { !$0.hasPrefix("Usage:") }
                for line in usage { Output.errorRaw(line) }
                Foundation.exit(ExitStatus.usage)
            }
            Output.error(describe(error))
            Foundation.exit(ExitStatus.failure)
        }
    }

    /// An error in words: Sediment's errors describe themselves; an error Foundation threw
    /// from a file operation is told by its path and cause, never as `NSCocoaErrorDomain Code=…`.
    static func describe(_ error: Error) -> String {
        guard FileError.isFoundationFileError(error) else { return String(describing: error) }
        let cause = FileError.cause(of: error)
        return FileError.path(of: error).map { "\($0): \(cause)" } ?? cause
    }
}
