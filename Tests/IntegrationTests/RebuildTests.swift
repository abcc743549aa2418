import Foundation
import XCTest

/// The store is the whole archive: after the catalog and the mirrors are lost, `rebuild`
/// makes them again from the store alone, and the archive answers as before.
final class RebuildTests: XCTestCase {
    /// What the query commands print for every package of the archive `config` names.
    private func answers(_ ws: Workspace, config: String) throws -> [String: String] {
        var answers: [String: String] = [:]
        func ask(_ arguments: [String]) throws -> ProcessResult {
            let result = try ws.sediment(arguments, config: config)
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
    private func revLists(_ ws: Workspace, mirrors: String) throws -> [String: String] {
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

    /// A configuration like `config` whose archive is `folder`.
    private func configuration(_ world: FixtureWorld, archive folder: String) throws -> String {
        let text = try String(contentsOfFile: world.configPath, encoding: .utf8)
        XCTAssertTrue(text.contains("\"\(world.store)\""))
        let path = world.folder + "/rebuilt-\(UUID().uuidString.prefix(8)).toml"
        try text.replacingOccurrences(of: "\"\(world.store)\"", with: "\"\(folder)\"").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testAnArchiveRebuiltFromItsStoreAnswersAsBefore() throws {
        let ws = try Workspace()
        let world = try FixtureWorld(folder: ws.root + "/world", home: ws.home)
        XCTAssertEqual(try ws.sediment(["sync"], config: world.configPath).status, 0)
        try world.advance()
        let second = try ws.sediment(["sync", "--json"], config: world.configPath)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(second.jsonLines.filter { $0["deleted_upstream"] as? Bool == true }.compactMap { $0["package"] as? String }, ["acme/vit-small"])
        let before = try answers(ws, config: world.configPath)
        let mirrorsBefore = try revLists(ws, mirrors: world.store + "/mirrors")
        XCTAssertGreaterThanOrEqual(mirrorsBefore.count, 10)
        // The force-pushed repository keeps its old tip as a lost ref, in the catalog and the mirror.
        XCTAssertTrue(before["refs ours:org/model-a --lost --json"]?.contains("forced") == true)
        XCTAssertTrue(before["packages --all"]?.contains("acme/vit-small (deleted)") == true)

        // The catalog and the mirrors are lost; the store remains.
        for name in ["catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm", "mirrors"] {
            try? FileManager.default.removeItem(atPath: world.store + "/" + name)
        }
        let folder = ws.root + "/rebuilt"
        let rebuild = try ws.sediment(["rebuild", "--store", world.store + "/blobs", "--into", folder], config: world.configPath)
        XCTAssertEqual(rebuild.status, 0, rebuild.stderr + rebuild.out)
        XCTAssertTrue(rebuild.out.hasPrefix("rebuilt \(folder): "), rebuild.out)
        XCTAssertTrue(rebuild.stderr.contains("replaying records"), rebuild.stderr)
        let config = try configuration(world, archive: folder)
        let after = try answers(ws, config: config)
        XCTAssertEqual(Set(after.keys), Set(before.keys))
        for (command, output) in before.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(after[command], output, command)
        }
        XCTAssertEqual(try revLists(ws, mirrors: folder + "/mirrors"), mirrorsBefore)
        let verify = try ws.sediment(["verify"], config: config)
        XCTAssertEqual(verify.status, 0, verify.out + verify.stderr)

        // A folder holding a catalog is refused.
        let again = try ws.sediment(["rebuild", "--store", world.store + "/blobs", "--into", folder], config: world.configPath)
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("holds a catalog already"), again.stderr)

        // The rebuilt archive goes on: a later sync finds nothing new and fails nothing.
        let third = try ws.sediment(["sync", "--json"], config: config)
        XCTAssertEqual(third.status, 0, third.stderr)
        XCTAssertEqual(third.jsonLines.filter { ($0["new_commits"] as? Int ?? 0) > 0 }.count, 0, third.out)
    }
}
