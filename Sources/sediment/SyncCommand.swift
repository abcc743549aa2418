import ArgumentParser
import Foundation
import Logging
import SedimentEngine
import SedimentStore

/// `sediment sync`: one crawl now, in the foreground.
struct Sync: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Crawl the configured hubs once, now, and archive what changed.",
        discussion: """
            Exits 1 if any visit failed, after finishing the others. Ctrl-C stops it: no further \
            visit starts, visits in progress are abandoned, it prints what was done and exits 130.

            EXAMPLES:
              sediment sync
              sediment sync --hub hf --json
              sediment sync --package hf:google-bert/bert-tiny
            """)

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
        // Ctrl-C (or SIGTERM) stops the crawl: no further visit starts, fetches in progress are
        // abandoned (nothing of them is recorded), and the summary says what was done. A second
        // Ctrl-C quits at once.
        let cancellation = CancellationFlag()
        let grace = configuration.daemon.stopTimeout
        let interrupts = SignalWatch(signals: [SIGINT, SIGTERM]) {
            cancellation.raise()
            display.stopping()
            // A transfer stalled without a byte never reaches a cancellation point: after
            // daemon.stop_timeout, say what was done and exit anyway. The crawl's process is
            // then gone, so its crawl shows as interrupted, and what the visit wrote is rolled
            // back at the next start.
            DispatchQueue.global().asyncAfter(deadline: .now() + grace) {
                display.finishAbandoned()
                archive.forgetRunningVisitsBeforeExit()
                _exit(130)
            }
        }
        let report = try Crawler(archive: archive, options: CrawlOptions(configuration), logger: logger).crawl(.init(hubs: hub, packages: package), cancellation: cancellation) { event in
            display.handle(event)
        }
        interrupts.stop()
        display.finish(report)
        // Interrupted: 130, the shell's status for a process ended by SIGINT.
        if report.interrupted { throw ExitCode(130) }
        if report.failed { throw ExitCode(ExitStatus.failure) }
    }
}

/// Runs `handler` once on the first of `signals`, then restores their default action, so
/// that the same signal again ends the process at once.
final class SignalWatch: @unchecked Sendable {  // @unchecked: `lock` guards `fired`; `sources` is set in init only
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var fired = false

    init(signals: [Int32], handler: @escaping @Sendable () -> Void) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                lock.lock()
                let first = !fired
                fired = true
                lock.unlock()
                guard first else { return }
                for other in signals { signal(other, SIG_DFL) }
                handler()
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Stops watching; the signals get their default action back.
    func stop() {
        for source in sources { source.cancel() }
        lock.lock()
        let restore = !fired
        fired = true
        lock.unlock()
        if restore { for source in sources { signal(Int32(source.handle), SIG_DFL) } }
    }
}
