import ArgumentParser
import Foundation
import Logging
import SedimentEngine

/// `sediment daemon`: run forever, crawling each hub on its schedule.
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run as a service: list each hub every daemon.interval and visit each package when it is due.",
        discussion: """
            Serves /metrics, /healthz and /status on daemon.listen, speaks systemd's notify protocol \
            when $NOTIFY_SOCKET is set, and logs one line per event to stderr. SIGTERM or SIGINT stop it: \
            no new visit starts, visits in progress finish or roll back, and it exits 0.

            EXAMPLES:
              sediment daemon --config /etc/sediment/sediment.toml
              sediment daemon --log-level debug
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Log level (trace, debug, info, notice, warning, error, critical); default daemon.log_level.", valueName: "level"))
    var logLevel: String?

    func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level: expected one of \(Configuration.logLevels.joined(separator: ", ")), got \"\(logLevel)\"")
        }
    }

    func run() async throws {
        // Reading the configuration and opening the archive touch files: not on a cooperative thread.
        let global = self.global
        let configuration = try await BlockingPool.shared.run { try global.load() }
        let level = Logger.Level(rawValue: logLevel ?? configuration.daemon.logLevel) ?? .info
        EscapingLogHandler.bootstrap(level: level)
        let logger = Logger(label: "sediment")
        let archive = try await BlockingPool.shared.run { try global.openArchiveForWriting(configuration) }
        try await Daemon(archive: archive, options: DaemonOptions(configuration), logger: logger).run()
    }
}
