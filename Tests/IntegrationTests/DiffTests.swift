import Foundation
import XCTest

/// `git diff --name-status -M OLD NEW` on the source, as "status path" lines.
func gitNameStatus(_ ws: Workspace, _ repo: String, _ old: String, _ new: String, subpath: String = "") throws -> Set<String> {
        var arguments = ["diff", "--name-status", "-M", "-z", old, new]
        if !subpath.isEmpty { arguments += ["--", subpath] }
        let fields = try ws.git(arguments, in: repo).split(separator: "\0").map(String.init)
        var result = Set<String>()
        var index = 0
        let strip = { (path: String) in subpath.isEmpty ? path : String(path.dropFirst(subpath.count + 1)) }
        while index < fields.count {
            let status = fields[index]
            if status.hasPrefix("R") {
                result.insert("renamed \(strip(fields[index + 1])) \(strip(fields[index + 2]))")
                index += 3
            } else {
                let word = ["A": "added", "D": "removed", "M": "modified", "T": "modified"][String(status.prefix(1))] ?? status
                result.insert("\(word) \(strip(fields[index + 1]))")
                index += 2
            }
        }
        return result
    }

/// The file changes of `sediment diff --json`, as "status path" lines.
func sedimentFileChanges(_ lines: [[String: Any]]) -> Set<String> {
        Set(lines.compactMap { line -> String? in
            guard let kind = line["kind"] as? String, ["added", "removed", "modified", "renamed"].contains(kind) else { return nil }
            if kind == "renamed" { return "renamed \(line["old_path"] as? String ?? "") \(line["path"] as? String ?? "")" }
            return "\(kind) \(line["path"] as? String ?? "")"
        })
    }

extension SyncTests {
    func testDiffMatchesGitAndReportsCardConfigAndWeights() throws {
        let ws = try Workspace()
        let repo = try makeRichRepository(ws)
        // One more commit: new weights (a new LFS object) and a config key changed.
        try ws.write("weights/model.safetensors", "version https://git-lfs.github.com/spec/v1\noid sha256:\(String(repeating: "9f", count: 32))\nsize 99999\n", in: repo)
        try ws.write("configs/config.json", "{\"model_type\": \"bert\", \"hidden_size\": 768}\n", in: repo)
        try ws.commitAll("new weights", in: repo)
        try ws.publish(repo, as: "org/model-a")
        let daemon = try GitDaemon(root: ws.served, home: ws.home)
        try ws.configure([daemon.url("org/model-a.git")])
        XCTAssertEqual(try ws.sediment(["sync"]).status, 0)

        let rev = { (name: String) in try ws.git(["rev-parse", name + "^{commit}"], in: repo).trimmingCharacters(in: .whitespacesAndNewlines) }
        for (old, new) in [("v1.0", "main"), ("v1.0", "experiment"), ("main~1", "main"), ("dev", "main")] {
            let diff = try ws.sediment(["diff", "org/model-a", String(rev(old).prefix(10)), new, "--json"])
            XCTAssertEqual(diff.status, 0, diff.stderr)
            XCTAssertEqual(sedimentFileChanges(diff.jsonLines), try gitNameStatus(ws, repo, rev(old), rev(new)), "\(old)..\(new)")
        }

        let lines = try ws.sediment(["diff", "org/model-a", String(rev("main~1").prefix(10)), "main", "--json"]).jsonLines
        let weights = try XCTUnwrap(lines.first { $0["kind"] as? String == "weights" })
        XCTAssertEqual(weights["path"] as? String, "weights/model.safetensors")
        XCTAssertEqual(weights["old_lfs_oid"] as? String, PointerFixtures.oid)
        XCTAssertEqual(weights["new_lfs_oid"] as? String, String(repeating: "9f", count: 32))
        XCTAssertEqual(weights["old_lfs_size"] as? Int, 12345)
        XCTAssertEqual(weights["new_lfs_size"] as? Int, 99999)
        XCTAssertFalse(lines.contains { $0["kind"] as? String == "config" }, "config.json moved to configs/, so the root file did not change here")

        let release = try ws.sediment(["diff", "org/model-a", "v1.0", "main", "--json"]).jsonLines
        let license = try XCTUnwrap(release.first { $0["kind"] as? String == "card" && $0["field"] as? String == "license" })
        // Values are JSON values, not JSON text in a string.
        XCTAssertEqual(license["old"] as? String, "mit")
        XCTAssertEqual(license["new"] as? String, "apache-2.0")
        let config = try XCTUnwrap(release.first { $0["kind"] as? String == "config" && $0["field"] as? String == "model_type" })
        XCTAssertEqual(config["old"] as? String, "bert")
        XCTAssertTrue(config["new"] is NSNull, "config.json left the root")
        // Before the last commit edited it, the moved config.json is a rename (git's 50% rule).
        let beforeEdit = String(try rev("main~1").prefix(10))
        let moved = try ws.sediment(["diff", "org/model-a", "v1.0", beforeEdit, "--json"]).jsonLines
        let renamed = try XCTUnwrap(moved.first { $0["kind"] as? String == "renamed" })
        XCTAssertEqual(renamed["old_path"] as? String, "config.json")
        XCTAssertEqual(renamed["path"] as? String, "configs/config.json")

        let human = try ws.sediment(["diff", "org/model-a", "v1.0", beforeEdit])
        XCTAssertTrue(human.out.contains("renamed   config.json -> configs/config.json"), human.out)
        XCTAssertTrue(human.out.contains("license: \"mit\" -> \"apache-2.0\""), human.out)
        let bad = try ws.sediment(["diff", "org/model-a", "no-such-ref", "main"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("no-such-ref"), bad.stderr)
    }

    /// A force-push that keeps the tree is a change of commit and refs, not "no changes"; one
    /// snapshot alone is compared with the one before it.
    func testDiffOfOneSnapshotShowsAForcePushThatKeptTheTree() throws {
        let ws = try Workspace()
        let repo = try ws.newRepository("model")
        try ws.write("config.json", "{\"model_type\": \"bert\"}\n", in: repo)
        try ws.commitAll("first", in: repo)
        try ws.publish(repo, as: "org/model")
        let daemon = try GitDaemon(root: ws.served, home: ws.home)
        try ws.configure([daemon.url("org/model.git")])
        XCTAssertEqual(try ws.sediment(["sync"]).status, 0)
        let first = try ws.git(["rev-parse", "HEAD"], in: repo).trimmingCharacters(in: .whitespacesAndNewlines)
        // The same tree under another commit, force-pushed.
        try ws.git(["commit", "-q", "--amend", "-m", "first, reworded"], in: repo)
        try ws.publish(repo, as: "org/model")
        XCTAssertEqual(try ws.sediment(["sync"]).status, 0)
        let second = try ws.git(["rev-parse", "HEAD"], in: repo).trimmingCharacters(in: .whitespacesAndNewlines)
        let snapshots = try ws.sediment(["snapshots", "org/model", "--json"]).jsonLines.compactMap { $0["snapshot"] as? String }
        XCTAssertEqual(snapshots.count, 2)

        let alone = try ws.sediment(["diff", "org/model", snapshots[1], "--json"])
        XCTAssertEqual(alone.status, 0, alone.stderr)
        let lines = alone.jsonLines
        let commit = try XCTUnwrap(lines.first { $0["kind"] as? String == "commit" })
        XCTAssertEqual(commit["old"] as? String, first)
        XCTAssertEqual(commit["new"] as? String, second)
        let ref = try XCTUnwrap(lines.first { $0["kind"] as? String == "ref" && $0["field"] as? String == "refs/heads/main" })
        XCTAssertEqual(ref["old"] as? String, first)
        XCTAssertEqual(ref["new"] as? String, second)
        XCTAssertTrue(sedimentFileChanges(lines).isEmpty, "the tree is the same")

        // The same with no revision at all (the latest snapshot), in words.
        let human = try ws.sediment(["diff", "org/model"])
        XCTAssertEqual(human.status, 0, human.stderr)
        XCTAssertFalse(human.out.contains("no changes"), human.out)
        XCTAssertTrue(human.out.contains("refs/heads/main: \(first.prefix(12)) -> \(second.prefix(12))"), human.out)
        // The first snapshot has none before it.
        let none = try ws.sediment(["diff", "org/model", snapshots[0]])
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.stderr.contains("first snapshot"), none.stderr)
    }
}
