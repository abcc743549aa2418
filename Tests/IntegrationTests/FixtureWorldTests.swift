import Foundation
import XCTest

/// The fixture world the demo tells its story on: six hub kinds crawled, time advanced
/// upstream, crawled again; what people ask the archive afterwards must hold.
final class FixtureWorldTests: XCTestCase {
    func testTwoCrawlsOfTheSixHubKindsShowTheChangesAndTheForcePush() throws {
        let ws = try Workspace()
        let world = try FixtureWorld(folder: ws.root + "/world", home: ws.home)
        let first = try ws.sediment(["sync", "--json"], config: world.configPath)
        XCTAssertEqual(first.status, 0, first.stderr)
        let visits = first.jsonLines
        XCTAssertEqual(visits.count, 16, first.out)
        XCTAssertTrue(visits.allSatisfy { $0["error"] is NSNull }, first.out)
        let hubs = Dictionary(grouping: visits, by: { $0["hub"] as? String ?? "" }).mapValues(\.count)
        XCTAssertEqual(hubs, ["hf": 4, "pytorch": 3, "onnx": 3, "modelhub": 2, "modelzoo": 3, "ours": 1])

        try world.advance()
        let second = try ws.sediment(["sync", "--json"], config: world.configPath)
        XCTAssertEqual(second.status, 0, second.stderr)
        let deleted = second.jsonLines.filter { $0["deleted_upstream"] as? Bool == true }.compactMap { $0["package"] as? String }
        XCTAssertEqual(deleted, ["acme/vit-small"])

        // The retrained bert-tiny: new weights and two changed config values.
        let before = try world.head("hub:google-bert/bert-tiny", epoch: 1)
        let after = try world.head("hub:google-bert/bert-tiny", epoch: 2)
        let diff = try ws.sediment(["diff", "hf:google-bert/bert-tiny", before, after, "--json"], config: world.configPath)
        XCTAssertEqual(diff.status, 0, diff.stderr)
        let weights = diff.jsonLines.filter { $0["kind"] as? String == "weights" }
        XCTAssertEqual(weights.map { $0["path"] as? String }, ["model.safetensors"])
        XCTAssertNotEqual(weights.first?["old_lfs_oid"] as? String, weights.first?["new_lfs_oid"] as? String)
        let config = diff.jsonLines.filter { $0["kind"] as? String == "config" }
        XCTAssertEqual(config.map { $0["field"] as? String }, ["hidden_dropout_prob", "transformers_version"])
        XCTAssertEqual(config.first?["new"] as? Double, 0.05, "values are JSON values")

        let history = try ws.sediment(["history", "hf:google-bert/bert-tiny", "--json"], config: world.configPath).jsonLines
        XCTAssertEqual(history.map { $0["downloads"] as? Int }, [1843211, 1990684])

        // org/model-a force-pushed main: its old tip is a lost ref, kept.
        let lost = try ws.sediment(["refs", "ours:org/model-a", "--lost", "--json"], config: world.configPath).jsonLines
        XCTAssertEqual(lost.count, 1)
        XCTAssertEqual(lost.first?["name"] as? String, "refs/heads/main")
        XCTAssertEqual(lost.first?["reason"] as? String, "forced")
        XCTAssertEqual(lost.first?["target"] as? String, try world.head("git:org/model-a", epoch: 1))
        XCTAssertEqual(lost.first?["replaced_by"] as? String, try world.head("git:org/model-a", epoch: 2))
    }

    /// What `sync` and `packages` say in words agrees with their numbers, and a hub that is
    /// nowhere is an error, as for `sync`.
    func testCountsInWordsAgreeAndUnknownHubsAreErrors() throws {
        let ws = try Workspace()
        let world = try FixtureWorld(folder: ws.root + "/world", home: ws.home)
        XCTAssertEqual(try ws.sediment(["sync"], config: world.configPath).status, 0)
        try world.advance()
        let second = try ws.sediment(["sync"], config: world.configPath)
        XCTAssertEqual(second.status, 0, second.stderr)
        // org/model-a was force-pushed: one new commit, one lost ref.
        let line = second.out.split(separator: "\n").first { $0.contains("ours:org/model-a") }.map(String.init) ?? ""
        XCTAssertTrue(line.contains("(1 new commit, ") && line.contains("1 lost ref kept"), line)
        XCTAssertFalse(second.out.contains(" 1 new commits") || second.out.contains(" 1 objects"), second.out)
        XCTAssertTrue(second.out.contains("synced 16 packages:"), second.out)

        let unknown = try ws.sediment(["packages", "--hub", "nope"], config: world.configPath)
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("no [[hub]] is named \"nope\""), unknown.stderr)
        let ours = try ws.sediment(["packages", "--hub", "ours", "--json"], config: world.configPath)
        XCTAssertEqual(ours.status, 0, ours.stderr)
        XCTAssertEqual(ours.jsonLines.compactMap { $0["id"] as? String }, ["org/model-a"])
    }
}
