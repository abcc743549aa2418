import Foundation
import XCTest

/// One mirror per repository URL: two URLs whose readable folder names agree (`modèle`,
/// `modéle`) are two repositories with two contents, and an archive made when they shared a
/// folder is moved to the new layout without fetching again.
final class MirrorIdentityTests: XCTestCase {
    func testLookAlikeURLsKeepTheirOwnContent() throws {
        let ws = try Workspace()
        for (name, content) in [("modèle", "content A\n"), ("modéle", "content B\n")] {
            let repo = try ws.newRepository("org/\(name)")
            try ws.write("README.md", content, in: repo)
            try ws.commitAll("add \(content)", in: repo)
            try ws.publish(repo, as: "org/\(name)")
        }
        let daemon = try GitDaemon(root: ws.served, home: ws.home)
        try ws.configure([daemon.url("org/modèle.git"), daemon.url("org/modéle.git")])
        let sync = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(sync.status, 0, sync.stderr)
        XCTAssertEqual(sync.jsonLines.map { $0["objects_received"] as? Int ?? 0 }.filter { $0 > 0 }.count, 2, "each URL is fetched: \(sync.out)")
        XCTAssertEqual(try ws.sediment(["show", "ours:org/modèle", "README.md"]).out, "content A\n")
        XCTAssertEqual(try ws.sediment(["show", "ours:org/modéle", "README.md"]).out, "content B\n")
        let mirrors = try ws.catalogRows("SELECT mirror_path FROM repository ORDER BY url").map { $0[0] ?? "" }
        XCTAssertEqual(Set(mirrors).count, 2, "\(mirrors)")
    }

    /// The same path on two servers derives one id: the second is skipped with a problem that
    /// says how to name it; `{ url, id }` entries make two packages with their own content.
    func testSamePathOnTwoServersNeedsIDsAndGetsThem() throws {
        let ws = try Workspace()
        var daemons: [GitDaemon] = []
        for (index, content) in ["first host\n", "second host\n"].enumerated() {
            let repo = try ws.newRepository("src\(index)/org/model")
            try ws.write("README.md", content, in: repo)
            try ws.commitAll("add \(content)", in: repo)
            let root = ws.root + "/served-\(index)"
            try ws.publish(repo, toBare: root + "/org/model.git")
            daemons.append(try GitDaemon(root: root, home: ws.home))
        }
        let urls = daemons.map { $0.url("org/model.git") }
        try ws.configure(urls)
        let plain = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(plain.jsonLines.count, 1, plain.out)
        XCTAssertTrue(plain.stderr.contains("has the same package id \"org/model\"") && plain.stderr.contains("{ url = \"\(urls[1])\", id = "),
                      plain.stderr)

        try ws.configure([], extra: "")
        var text = try String(contentsOfFile: ws.configPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "repositories = []", with: """
            repositories = [
                { url = "\(urls[0])" },
                { url = "\(urls[1])", id = "second/model" },
            ]
            """)
        try text.write(toFile: ws.configPath, atomically: true, encoding: .utf8)
        let named = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(named.status, 0, named.stderr)
        XCTAssertEqual(Set(named.jsonLines.compactMap { $0["package"] as? String }), ["org/model", "second/model"])
        XCTAssertEqual(try ws.sediment(["show", "ours:org/model", "README.md"]).out, "first host\n")
        XCTAssertEqual(try ws.sediment(["show", "ours:second/model", "README.md"]).out, "second host\n")
    }

    func testMirrorsOfEarlierVersionsAreMovedNotFetchedAgain() throws {
        let ws = try Workspace()
        let repo = try ws.newRepository("org/model-a")
        try ws.write("README.md", "hello\n", in: repo)
        try ws.commitAll("first", in: repo)
        try ws.publish(repo, as: "org/model-a")
        let daemon = try GitDaemon(root: ws.served, home: ws.home)
        try ws.configure([daemon.url("org/model-a.git")])
        XCTAssertEqual(try ws.sediment(["sync"]).status, 0)
        // Put the mirror where an earlier version kept it, as that version's catalog said.
        let current = try XCTUnwrap(try ws.catalogRows("SELECT mirror_path FROM repository").first?[0] ?? nil)
        let legacy = "127.0.0.1_\(daemon.port)/org/model-a.git"
        try FileManager.default.createDirectory(atPath: ws.store + "/mirrors/127.0.0.1_\(daemon.port)/org", withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: ws.store + "/mirrors/" + current, toPath: ws.store + "/mirrors/" + legacy)
        let update = try Shell.run(Shell.which("python3"), ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1]); db.execute("UPDATE repository SET mirror_path = ?", (sys.argv[2],)); db.commit()
            """, ws.store + "/catalog.sqlite", legacy])
        XCTAssertEqual(update.status, 0, update.stderr)
        try ws.write("README.md", "hello again\n", in: repo)
        try ws.commitAll("second", in: repo)
        try ws.publish(repo, as: "org/model-a")

        let again = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("moved mirror \(legacy) to \(current)"), again.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: ws.store + "/mirrors/" + current))
        XCTAssertFalse(FileManager.default.fileExists(atPath: ws.store + "/mirrors/" + legacy))
        XCTAssertEqual(again.jsonLines.first?["new_commits"] as? Int, 1, "only the new commit is walked: the mirror was kept")
        XCTAssertEqual(try ws.catalogRows("SELECT mirror_path FROM repository"), [[current]])
        XCTAssertEqual(try ws.sediment(["verify"]).status, 0)
    }
}
