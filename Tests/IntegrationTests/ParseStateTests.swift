import Foundation
import XCTest

/// A card or config that cannot be read is unknown, not absent: no licence change is
/// reported into or out of it, `diff` says so instead of listing every field as removed,
/// `sync` warns naming the package and file, and `history` shows it.
final class ParseStateTests: XCTestCase {
    func testUnparseableCardAndConfigAreUnknownNotAbsent() throws {
        let ws = try Workspace()
        let repo = try ws.newRepository("org/model-a")
        let goodCard = "---\nlicense: mit\ntags: [a]\n---\n# Model\n"
        try ws.write("README.md", goodCard, in: repo)
        try ws.write("config.json", "{\"model_type\": \"bert\", \"hidden_size\": 768}\n", in: repo)
        try ws.commitAll("good", in: repo)
        try ws.publish(repo, as: "org/model-a")
        let daemon = try GitDaemon(root: ws.served, home: ws.home)
        try ws.configure([daemon.url("org/model-a.git")])
        XCTAssertEqual(try ws.sediment(["sync"]).status, 0)
        let good = try ws.git(["rev-parse", "HEAD"], in: repo).trimmingCharacters(in: .whitespacesAndNewlines)

        // Broken YAML (a Windows-edited card, too) and broken JSON.
        try ws.write("README.md", "---\r\nlicense: [mit\r\n---\r\n# Model\r\n", in: repo)
        try ws.write("config.json", "{\"model_type\": \"bert\",\n", in: repo)
        try ws.commitAll("broken", in: repo)
        try ws.publish(repo, as: "org/model-a")
        let broken = try ws.sediment(["sync"])
        XCTAssertEqual(broken.status, 0, "an unreadable card is a warning, not a failure: \(broken.stderr)")
        XCTAssertTrue(broken.stderr.contains("warning: ours:org/model-a: README.md unparseable"), broken.stderr)
        XCTAssertTrue(broken.stderr.contains("config.json unparseable"), broken.stderr)
        let bad = try ws.git(["rev-parse", "HEAD"], in: repo).trimmingCharacters(in: .whitespacesAndNewlines)

        // Back to a good card with the same licence, then a real licence change.
        try ws.write("README.md", goodCard, in: repo)
        try ws.write("config.json", "{\"model_type\": \"bert\", \"hidden_size\": 768}\n", in: repo)
        try ws.commitAll("fixed", in: repo)
        try ws.publish(repo, as: "org/model-a")
        XCTAssertEqual(try ws.sediment(["sync"]).status, 0)
        try ws.write("README.md", goodCard.replacingOccurrences(of: "mit", with: "apache-2.0"), in: repo)
        try ws.commitAll("relicensed", in: repo)
        try ws.publish(repo, as: "org/model-a")
        XCTAssertEqual(try ws.sediment(["sync"]).status, 0)

        let states = try ws.catalogRows("SELECT card_state, card_license, config_state, config_problem IS NOT NULL FROM observation ORDER BY visit_id")
        XCTAssertEqual(states.map { $0[0] }, ["ok", "unparseable", "ok", "ok"])
        XCTAssertEqual(states.map { $0[2] }, ["ok", "unparseable", "ok", "ok"])
        XCTAssertEqual(states[1][3], "1", "the reason is recorded")
        let changes = try ws.catalogRows("SELECT previous_license, license FROM license_changes")
        XCTAssertEqual(changes, [["mit", "apache-2.0"]], "mit → unparseable → mit is no change; only the real one is reported")

        // diff into the unreadable card: no field reported as absent, a line that says why.
        let diff = try ws.sediment(["diff", "org/model-a", String(good.prefix(10)), String(bad.prefix(10))])
        XCTAssertEqual(diff.status, 0, diff.stderr)
        XCTAssertTrue(diff.out.contains("card unparseable at \(bad.prefix(10)): the front matter is not valid YAML"), diff.out)
        XCTAssertTrue(diff.out.contains("config unparseable at \(bad.prefix(10)): config.json is not valid JSON"), diff.out)
        XCTAssertFalse(diff.out.contains("(absent)"), diff.out)
        let json = try ws.sediment(["diff", "org/model-a", String(good.prefix(10)), String(bad.prefix(10)), "--json"]).jsonLines
        let card = try XCTUnwrap(json.first { $0["kind"] as? String == "card" })
        XCTAssertEqual(card["revision"] as? String, bad)
        XCTAssertNil(card["field"])
        XCTAssertFalse(json.contains { $0["field"] != nil }, "\(json)")

        // history shows the state and the reason.
        let history = try ws.sediment(["history", "org/model-a"])
        XCTAssertTrue(history.out.contains("unparseable"), history.out)
        XCTAssertTrue(history.out.contains("README.md unparseable: the front matter is not valid YAML"), history.out)
        let rows = try ws.sediment(["history", "org/model-a", "--json"]).jsonLines
        XCTAssertEqual(rows.map { $0["card_state"] as? String }, ["ok", "unparseable", "ok", "ok"])
    }

    /// A card only the front matter's opening line of, and a README too large to store, are
    /// unparseable with their reason; the package's history and manifests are archived all the same.
    func testCardOpenedButNeverClosedAndCardNotStored() throws {
        let ws = try Workspace()
        let repo = try ws.newRepository("org/model-b")
        try ws.write("README.md", "---", in: repo)
        try ws.commitAll("only dashes", in: repo)
        try ws.publish(repo, as: "org/model-b")
        let big = try ws.newRepository("org/model-c")
        try ws.write("README.md", "---\nlicense: mit\n---\n" + String(repeating: "x", count: 6000), in: big)
        try ws.commitAll("big card", in: big)
        try ws.publish(big, as: "org/model-c")
        let daemon = try GitDaemon(root: ws.served, home: ws.home)
        try ws.configure([daemon.url("org/model-b.git"), daemon.url("org/model-c.git")], blobMaxBytes: 4096)
        let sync = try ws.sediment(["sync"])
        XCTAssertEqual(sync.status, 0, sync.stderr)
        XCTAssertTrue(sync.stderr.contains("ours:org/model-b: README.md unparseable: the front matter opened by --- on the first line is never closed"), sync.stderr)
        XCTAssertTrue(sync.stderr.contains("ours:org/model-c: README.md unparseable: README.md is not stored"), sync.stderr)
        let rows = try ws.catalogRows("SELECT p.package_id, o.card_state FROM observation o JOIN package p ON p.id = o.package_id ORDER BY p.package_id")
        XCTAssertEqual(rows, [["org/model-b", "unparseable"], ["org/model-c", "unparseable"]])
        XCTAssertEqual(try ws.sediment(["show", "org/model-b", "README.md"]).out, "---")
    }

    /// `[limits] card_bytes` bounds the front matter read: a larger one is unparseable, named.
    func testCardBytesLimitIsConfigurable() throws {
        let ws = try Workspace()
        let repo = try ws.newRepository("org/long-card")
        try ws.write("README.md", "---\nlicense: mit\ndescription: \"" + String(repeating: "y", count: 2000) + "\"\n---\n", in: repo)
        try ws.commitAll("long front matter", in: repo)
        try ws.publish(repo, as: "org/long-card")
        let daemon = try GitDaemon(root: ws.served, home: ws.home)
        try ws.configure([daemon.url("org/long-card.git")], extra: "\n[limits]\ncard_bytes = 1024")
        let sync = try ws.sediment(["sync"])
        XCTAssertEqual(sync.status, 0, sync.stderr)
        XCTAssertTrue(sync.stderr.contains("README.md unparseable: the front matter is 2028 bytes, over the limit of 1024"), sync.stderr)
        try ws.configure([daemon.url("org/long-card.git")])
        XCTAssertEqual(try ws.catalogRows("SELECT card_state FROM observation"), [["unparseable"]])
    }
}
