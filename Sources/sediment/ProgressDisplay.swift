import Foundation
import SedimentEngine
import SedimentStore

/// Shows a crawl's progress: a redrawn status line on a terminal, plain lines otherwise.
/// Results (one line per visit) go to stdout; progress and errors to stderr.
final class ProgressDisplay: @unchecked Sendable {  // @unchecked: `lock` guards every var
    private let json: Bool
    private let terminal: Bool
    private let lock = NSLock()
    private var total = 0
    private var done = 0
    private var active: [String: String] = [:]
    /// The visits reported so far.
    private var finished: [VisitOutcome] = []
    /// Whether the summary was printed (it is printed once).
    private var summarised = false
    private var lastDraw = Date.distantPast

    init(json: Bool, terminal: Bool) {
        self.json = json
        self.terminal = terminal
    }

    func handle(_ event: CrawlEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .planned(let total):
            self.total = total
        case .problem(let text):
            clearLine()
            Output.errorRaw("sediment: warning: \(text)")
        case .visitStarted(let package):
            active[package] = "connecting"
            draw()
        case .fetchProgress(let package, let progress):
            active[package] = "\(progress.receivedObjects)/\(progress.totalObjects) objects, \(Output.bytes(Int64(progress.receivedBytes)))"
            if Date().timeIntervalSince(lastDraw) > 0.1 { draw() }
        case .visitFinished(let outcome, _, _):
            // Counted here, under the display's lock, so the numbers print in order.
            done += 1
            finished.append(outcome)
            active[outcome.qualifiedName] = nil
            clearLine()
            report(outcome)
            draw()
        }
    }

    private func report(_ o: VisitOutcome) {
        if json {
            Output.json(.object([
                ("hub", .string(o.hub)), ("package", .string(o.package)), ("status", .string(o.status.rawValue)),
                ("eventful", .bool(o.eventful)), ("objects_received", .int(Int64(o.objectsReceived))),
                ("bytes_received", .int(Int64(o.bytesReceived))), ("new_commits", .int(Int64(o.newCommits))),
                ("new_blobs", .int(Int64(o.newBlobs))), ("lost_refs", .int(Int64(o.lostRefs))),
                ("snapshot", .optional(o.snapshot?.hex)), ("skipped_git", .bool(o.skippedGit)), ("metadata_only", .bool(o.metadataOnly)),
                ("deleted_upstream", .bool(o.deletedUpstream)), ("error", .optional(o.error)),
                ("lfs_stored", .int(Int64(o.lfsStored))), ("lfs_stored_bytes", .int(o.lfsStoredBytes)),
                ("lfs_deduplicated", .int(Int64(o.lfsDeduplicated))), ("lfs_pending", .int(Int64(o.lfsPending))),
                ("lfs_problems", .array(o.lfsProblems.map { .string($0) })),
                ("warnings", .array(o.warnings.map { .string($0) })),
                ("seconds", .object(o.timings.map { ($0.0, .double(($0.1 * 1000).rounded() / 1000)) })),
            ]))
        } else {
            let position = "[\(done)/\(total)]"
            if o.deletedUpstream {
                Output.line("\(position) \(o.qualifiedName): deleted upstream; its archive stays")
            } else if o.metadataOnly {
                Output.line("\(position) \(o.qualifiedName): metadata recorded (the hub names no repository)")
            } else if let error = o.error {
                Output.line("\(position) \(o.qualifiedName): \(o.status.rawValue): \(error)")
            } else {
                var parts = [Output.count(o.newCommits, "new commit"), Output.count(o.objectsReceived, "object"), Output.bytes(Int64(o.bytesReceived))]
                if o.lostRefs > 0 { parts.append(Output.count(o.lostRefs, "lost ref") + " kept") }
                if o.lfsStored > 0 { parts.append(Output.count(o.lfsStored, "LFS object") + " stored (\(Output.bytes(o.lfsStoredBytes)))") }
                if o.lfsPending > 0 { parts.append(Output.count(o.lfsPending, "LFS object") + " pending") }
                let what = o.eventful ? "new snapshot \(o.snapshot?.short ?? "")"
                    : o.skippedGit ? "unchanged (the hub reports the archived head; no git connection)" : "unchanged"
                Output.line("\(position) \(o.qualifiedName): \(what) (\(parts.joined(separator: ", ")))")
            }
        }
        for problem in o.lfsProblems { Output.errorRaw("sediment: \(o.qualifiedName): \(problem)") }
        for warning in o.warnings { Output.errorRaw("sediment: warning: \(o.qualifiedName): \(warning)") }
        // With --json, stdout is for machines: say the error on stderr too, for people.
        if let error = o.error, json, o.isFailure {
            Output.errorRaw("sediment: \(o.qualifiedName): \(error)")
        }
    }

    private func draw() {
        guard terminal else { return }
        lastDraw = Date()
        let working = active.sorted { $0.key < $1.key }.prefix(2).map { "\($0.key) \($0.value)" }.joined(separator: " | ")
        var text = "[\(done)/\(total)] \(working)"
        if text.count > 110 { text = String(text.prefix(107)) + "..." }
        Output.progress(text, after: "\r\u{1B}[K")
    }

    private func clearLine() {
        if terminal { Output.progress("", after: "\r\u{1B}[K") }
    }

    /// Says that the crawl is stopping (the first Ctrl-C).
    func stopping() {
        lock.lock()
        defer { lock.unlock() }
        clearLine()
        Output.errorRaw("sediment: stopping: no further visit starts; visits in progress are abandoned and redone next time (Ctrl-C again quits at once)")
    }

    /// The summary when visits in progress did not stop in time after Ctrl-C: what was done,
    /// from the visits reported so far.
    func finishAbandoned() {
        lock.lock()
        let outcomes = finished
        let planned = total
        lock.unlock()
        var report = Crawler.Report(outcomes: outcomes)
        report.interrupted = true
        report.notVisited = max(0, planned - outcomes.count)
        finish(report)
    }

    func finish(_ report: Crawler.Report) {
        lock.lock()
        defer { lock.unlock() }
        if summarised { return }
        summarised = true
        clearLine()
        let outcomes = report.outcomes, hubErrors = report.hubErrors
        for error in hubErrors {
            if json {
                Output.json(.object([("hub_error", .string(error))]))
            }
            Output.errorRaw("sediment: error: \(error)")
        }
        for name in report.unlisted {
            if json { Output.json(.object([("unlisted", .string(name))])) }
            Output.errorRaw("sediment: \(name): no longer listed by its hub; marked unlisted, its archive stays (listing it again resumes it)")
        }
        for name in report.quarantined {
            if json { Output.json(.object([("quarantined", .string(name))])) }
            Output.errorRaw("sediment: \(name): quarantined, not visited: it crashed the process twice in a row; "
                            + "`sediment unpark \(name)` retries it (a new version listed by its hub does too)")
        }
        if report.interrupted {
            if json { Output.json(.object([("interrupted", .bool(true)), ("not_visited", .int(Int64(report.notVisited)))])) }
            Output.errorRaw("sediment: interrupted: \(Output.count(report.notVisited, "planned visit")) not made")
        }
        guard !json else { return }
        let failed = outcomes.filter(\.isFailure).count
        let eventful = outcomes.filter(\.eventful).count
        let deleted = outcomes.filter(\.deletedUpstream).count
        var summary = (hubErrors.isEmpty ? "" : "\(Output.count(hubErrors.count, "hub")) could not be listed; ")
            + (report.interrupted ? "interrupted after syncing " : "synced ")
            + "\(Output.count(outcomes.count, "package")): \(eventful) changed, \(outcomes.count - eventful - failed - deleted) unchanged, \(failed) failed"
        if deleted > 0 { summary += ", \(deleted) deleted upstream" }
        if !report.unlisted.isEmpty { summary += ", \(report.unlisted.count) no longer listed" }
        if !report.quarantined.isEmpty { summary += ", \(report.quarantined.count) quarantined" }
        if report.interrupted { summary += "; \(report.notVisited) not visited" }
        let skipped = report.skipped.count
        if skipped > 0 { summary += "; " + Output.count(skipped, "listed entry", plural: "listed entries") + " skipped (named above and in `sediment status`)" }
        Output.line(summary)
    }
}
