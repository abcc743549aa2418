import Foundation
import XCTest

/// What an archive answers, for tests that compare two archives (or one archive before and
/// after) command by command.
enum ArchiveAnswers {
    /// What the query commands print for every package of the archive `config` names.
    static func answers(_ ws: Workspace, config: String, environment: [String: String] = [:]) throws -> [String: String] {
        var answers: [String: String] = [:]
        func ask(_ arguments: [String]) throws -> ProcessResult {
            let result = try ws.sediment(arguments, config: config, environment: environment)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.stderr)")
            answers[arguments.joined(separator: " ")] = result.out
            return result
        }
        let packages = try ask(["packages", "--all", "--json"]).jsonLines.compactMap { line -> String? in
            guard let hub = line["hub"] as? String, let id = line["id"] as? String else { return nil }
            return hub + ":" + id
        }
        _ = try ask(["packages", "--all"])
        XCTAssertGreaterThan(packages.count, 10)
        for package in packages {
            _ = try ask(["log", package])
            _ = try ask(["history", package, "--json"])
            _ = try ask(["refs", package, "--lost", "--json"])
            let snapshots = try ask(["snapshots", package, "--json"]).jsonLines.compactMap { $0["snapshot"] as? String }
            _ = try ask(["snapshots", package])
            if let first = snapshots.first, let last = snapshots.last, first != last {
                _ = try ask(["diff", package, first, last, "--json"])
                _ = try ask(["diff", package, first, last])
            }
        }
        return answers
    }

    /// `git rev-list --all` of every mirror under `mirrors`, by its folder.
    static func revLists(_ ws: Workspace, mirrors: String) throws -> [String: String] {
        var lists: [String: String] = [:]
        let walker = FileManager.default.enumerator(atPath: mirrors)
        while let relative = walker?.nextObject() as? String {
            guard relative.hasSuffix(".git") else { continue }
            walker?.skipDescendants()
            let result = try Shell.run(Shell.which("git"), ["--git-dir", mirrors + "/" + relative, "rev-list", "--all"],
                                       env: Shell.gitEnvironment(home: ws.home))
            XCTAssertEqual(result.status, 0, result.stderr)
            lists[relative] = result.out.split(separator: "\n").sorted().joined(separator: "\n")
        }
        return lists
    }
}
