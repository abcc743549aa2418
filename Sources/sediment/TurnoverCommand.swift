import ArgumentParser
import Foundation
import SedimentEngine
import SedimentStore

/// `sediment turnover`: how a hub's most popular packages changed between two instants.
struct Turnover: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare a hub's top packages by downloads or likes at two instants.",
        discussion: """
            Each package counts with its latest observation at or before each instant (a bare date means the \
            end of that day, UTC). Prints both rankings, the packages that entered and left the top N, and \
            the turnover: the share of the top N at the first instant that is gone from it at the second.

            EXAMPLES:
              sediment turnover --hub hf --from 2025-01-01 --to 2025-06-30
              sediment turnover --hub hf --from 2025-01-01 --to 2025-06-30 --top 100 --by likes --json
            """)

    enum Metric: String, ExpressibleByArgument, CaseIterable { case downloads, likes }

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONFlag

    @Option(name: .long, help: ArgumentHelp("The hub (repeatable; default: every hub of the archive).", valueName: "name"))
    var hub: [String] = []

    @Option(name: .long, help: ArgumentHelp("The first instant: YYYY-MM-DD or an ISO 8601 time.", valueName: "date"))
    var from: String

    @Option(name: .long, help: ArgumentHelp("The second instant.", valueName: "date"))
    var to: String

    @Option(name: .long, help: ArgumentHelp("How many packages make the top.", valueName: "n"))
    var top = 10

    @Option(name: .long, help: "The metric ranked.")
    var by: Metric = .downloads

    func validate() throws {
        guard top > 0 else { throw ValidationError("--top must be at least 1") }
        for (flag, text) in [("--from", from), ("--to", to)] where RevisionResolver.parseInstant(text) == nil {
            throw ValidationError("\(flag) \(text): expected YYYY-MM-DD or an ISO 8601 time such as 2025-06-30T12:00:00Z")
        }
    }

    func run() throws {
        let archive = try global.openArchive()
        try global.checkHubs(hub, in: archive)
        let instants = [from, to].map { Catalog.timestamp(RevisionResolver.parseInstant($0)!) }
        for name in hub.isEmpty ? try archive.catalog.hubNames() : hub {
            let rankings = try instants.map { Array(try archive.catalog.ranking(hub: name, metric: by.rawValue, asOf: $0).prefix(top)) }
            let before = rankings[0].map(\.package), after = rankings[1].map(\.package)
            let entered = after.filter { !before.contains($0) }, left = before.filter { !after.contains($0) }
            let share: Double? = before.isEmpty ? nil : Double(left.count) / Double(before.count)
            if output.json {
                func ranked(_ list: [RankedPackage]) -> JSONValue {
                    .array(list.enumerated().map { i, p in
                        .object([("rank", .int(Int64(i + 1))), ("id", .string(p.package)), ("value", .int(p.value)),
                                 ("observed_at", .string(p.observedAt))])
                    })
                }
                Output.json(.object([
                    ("hub", .string(name)), ("by", .string(by.rawValue)), ("top", .int(Int64(top))),
                    ("from", .string(instants[0])), ("to", .string(instants[1])),
                    ("from_ranking", ranked(rankings[0])), ("to_ranking", ranked(rankings[1])),
                    ("entered", .array(entered.map(JSONValue.string))), ("left", .array(left.map(JSONValue.string))),
                    ("turnover", share.map(JSONValue.double) ?? .null),
                ]))
                continue
            }
            Output.line("\(name): top \(top) by \(by.rawValue), \(instants[0]) → \(instants[1])")
            var rows = [["rank", "at \(from)", by.rawValue, "at \(to)", by.rawValue]]
            for i in 0..<max(rankings[0].count, rankings[1].count) {
                let a = i < rankings[0].count ? rankings[0][i] : nil, b = i < rankings[1].count ? rankings[1][i] : nil
                rows.append([String(i + 1), a?.package ?? "", a.map { String($0.value) } ?? "", b?.package ?? "", b.map { String($0.value) } ?? ""])
            }
            Output.table(rows)
            Output.line("entered: " + (entered.isEmpty ? "none" : entered.joined(separator: ", ")))
            Output.line("left: " + (left.isEmpty ? "none" : left.joined(separator: ", ")))
            if let share {
                Output.line("turnover: \(left.count) of \(before.count) (\(Int((share * 100).rounded()))%)")
            } else {
                Output.line("turnover: none observed at \(from)")
            }
        }
    }
}
