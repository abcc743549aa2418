import Foundation
import XCTest

/// Files anyone can write must cost their package a warning, never the archive: each hostile
/// card or config below is archived by `sync`, under a memory limit, with its history and a
/// warning naming the package, the file and the reason.
final class HostileInputTests: XCTestCase {
    func testHostileCardsAndConfigsAreArchivedWithAWarning() throws {
        let ws = try Workspace()
        var bomb = "---\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            bomb += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
        }
        bomb += "---\n# A billion laughs\n"
        let cases: [(name: String, file: String, content: Data, reason: String)] = [
            ("alias-bomb", "README.md", Data(bomb.utf8), "expands to more than 200000 nodes"),
            ("deep-yaml", "README.md", Data(("---\nx: " + String(repeating: "[", count: 100_000) + "\n---\n").utf8), "nests deeper than 64 levels"),
            ("deep-json", "config.json", Data((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8),
             "config.json is not valid JSON"),
            ("huge-card", "README.md", Data(("---\nlicense: mit\n---\n" + String(repeating: "x", count: 2 << 20)).utf8), "over 1048576"),
            ("not-utf8", "README.md", Data([0x2D, 0x2D, 0x2D, 0x0A, 0xFF, 0xFE, 0x0A, 0x2D, 0x2D, 0x2D, 0x0A]), "not UTF-8"),
            ("only-dashes", "README.md", Data("---".utf8), "never closed"),
        ]
        var urls: [String] = []
        for c in cases {
            let repo = try ws.newRepository("org/\(c.name)")
            try ws.write("model.txt", "weights of \(c.name)\n", in: repo)
            try ws.commitAll("first", in: repo)
            try ws.write(c.file, c.content, in: repo)
            try ws.commitAll("hostile \(c.file)", in: repo)
            try ws.publish(repo, as: "org/\(c.name)")
        }
        let daemon = try GitDaemon(root: ws.served, home: ws.home)
        for c in cases { urls.append(daemon.url("org/\(c.name).git")) }
        try ws.configure(urls, blobMaxBytes: 4 << 20)

        // 2 GB of address space is far more than a sync of six small repositories needs, and
        // far less than the alias bomb expanded (20 GB before this was bounded).
        let sync = try Shell.run("/bin/bash", ["-c", "ulimit -v 2000000; exec \"$0\" sync --config \"$1\"", Shell.sedimentBinary, ws.configPath],
                                 cwd: ws.root)
        XCTAssertEqual(sync.status, 0, sync.stderr)
        for c in cases {
            XCTAssertTrue(sync.out.contains("ours:org/\(c.name): new snapshot"), "\(c.name) is archived: \(sync.out)")
            let warning = sync.stderr.split(separator: "\n").first { $0.contains("ours:org/\(c.name): \(c.file) unparseable") }
            XCTAssertNotNil(warning, "\(c.name): \(sync.stderr)")
            XCTAssertTrue(warning?.contains(c.reason) == true, "\(c.name): \(warning ?? "")")
            XCTAssertEqual(try ws.sediment(["log", "org/\(c.name)", "--json"]).jsonLines.count, 2, "\(c.name)'s history is archived")
        }
        XCTAssertEqual(try ws.sediment(["verify"]).status, 0)
    }
}
