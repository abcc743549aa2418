import ArgumentParser
import Foundation
import Logging
import SedimentEngine
import SedimentServe

/// `sediment serve`: the archive as a Hugging Face–compatible endpoint and a web view.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the archive read-only: a Hugging Face-compatible API and a web view with plots.",
        discussion: """
            Answers the part of the Hugging Face Hub's API that huggingface_hub uses to find and download \
            models (set HF_ENDPOINT=http://LISTEN), for any archived revision: commit ids (force-pushed-away \
            ones too), branches and tags as of the latest snapshot, lost refs, models deleted upstream. \
            The web view at / shows hubs, packages, each package's snapshots and evolution, diffs and \
            hub-wide trends. Also /healthz, /status and /metrics. SIGTERM or SIGINT stop it. See docs/serve.md.

            EXAMPLES:
              sediment serve --listen 127.0.0.1:8790
              HF_ENDPOINT=http://127.0.0.1:8790 python3 -c 'import huggingface_hub as h; print(h.snapshot_download("google-bert/bert-tiny", revision="<commit>"))'
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("HOST:PORT to listen on (default serve.listen, 127.0.0.1:8790; port 0 picks one).", valueName: "host:port"))
    var listen: String?

    @Option(name: .long, help: ArgumentHelp("Log level (trace, debug, info, notice, warning, error, critical).", valueName: "level"))
    var logLevel: String = "notice"

    func validate() throws {
        if Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level: expected one of \(Configuration.logLevels.joined(separator: ", ")), got \"\(logLevel)\"")
        }
        if let listen, listen.lastIndex(of: ":").flatMap({ Int(listen[listen.index(after: $0)...]) }) == nil {
            throw ValidationError("--listen: expected HOST:PORT, got \"\(listen)\"")
        }
    }

    func run() async throws {
        let global = self.global
        let configuration = try await BlockingPool.shared.run { try global.load() }
        let level = Logger.Level(rawValue: logLevel) ?? .notice
        EscapingLogHandler.bootstrap(level: level)
        let logger = Logger(label: "sediment.serve")
        let archive = try await BlockingPool.shared.run { try Archive.openForReading(configuration) }
        let options = ServeOptions(listen: listen ?? configuration.serve.listen, refreshInterval: configuration.serve.refresh,
                                   maxConnections: configuration.serve.maxConnections)
        try await ServeServer.run(archive: archive, options: options, logger: logger) { address in
            // One line on stderr that scripts and tests wait for.
            FileHandle.standardError.write(Data("serving \(GlobalOptions.archiveLine(configuration)) on http://\(address)\n".utf8))
        }
    }
}
