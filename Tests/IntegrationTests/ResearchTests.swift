import Foundation
import XCTest

/// `docs/research.md` holds: every example there (a query or a command, after an
/// `<!-- example: NAME -->` line) is run on the research fixture world crawled twice, and
/// prints exactly the output the page shows (`…` standing for crawl times). The research
/// commands' JSON follows its schemas.
final class ResearchTests: XCTestCase {
    struct Example {
        var name: String
        var language: String
        var input: String
        var output: [String]
    }

    /// The examples of the page: each marker's next fenced block is the input, the one after it the output.
    static func examples(_ text: String) -> [Example] {
        var examples: [Example] = []
        let lines = text.components(separatedBy: "\n")
        var i = 0
        func block(from start: inout Int) -> (language: String, lines: [String])? {
            while start < lines.count, !lines[start].hasPrefix("```") { start += 1 }
            guard start < lines.count else { return nil }
            let language = String(lines[start].dropFirst(3))
            var body: [String] = []
            start += 1
            while start < lines.count, lines[start] != "```" { body.append(lines[start]); start += 1 }
            start += 1
            return (language, body)
        }
        while i < lines.count {
            let line = lines[i]
            i += 1
            guard line.hasPrefix("<!-- example: "), line.hasSuffix(" -->") else { continue }
            let name = String(line.dropFirst("<!-- example: ".count).dropLast(" -->".count))
            guard let input = block(from: &i), let output = block(from: &i) else { break }
            examples.append(Example(name: name, language: input.language, input: input.lines.joined(separator: "\n"), output: output.lines))
        }
        return examples
    }

    /// Whether `actual` is `expected`, where `…` in `expected` stands for any text within the line.
    static func matches(_ actual: String, _ expected: String) -> Bool {
        let pattern = "^" + expected.components(separatedBy: "…").map(NSRegularExpression.escapedPattern).joined(separator: ".+?") + "$"
        return actual.range(of: pattern, options: .regularExpression) != nil
    }

    func testEveryExampleOfTheResearchPagePrintsWhatThePageShows() throws {
        let ws = try Workspace()
        let world = try FixtureWorld(folder: ws.root + "/world", home: ws.home, description: "research-world.json")
        for epoch in 1...2 {
            if epoch > 1 { try world.advance() }
            let sync = try ws.sediment(["sync"], config: world.configPath)
            XCTAssertEqual(sync.status, 0, sync.stderr)
        }
        let catalog = world.store + "/catalog.sqlite"
        // The two crawls' instants, for turnover: each crawl's last observation.
        let crawls = try rows(catalog, "SELECT MAX(o.observed_at) FROM observation_point o JOIN visit v ON v.id = o.visit_id GROUP BY v.crawl_id ORDER BY 1")
        XCTAssertEqual(crawls.count, 2)
        let instants = crawls.compactMap { $0.first ?? nil }

        let page = try String(contentsOfFile: ServeFixture.projectRoot + "/docs/research.md", encoding: .utf8)
        let examples = Self.examples(page)
        XCTAssertEqual(examples.count, 17, examples.map(\.name).joined(separator: ", "))
        XCTAssertEqual(Set(examples.map(\.name)).count, examples.count, "example names are unique")
        for example in examples {
            var printed: [String]
            switch example.language {
            case "sql":
                printed = try rows(catalog, example.input, header: true).map { $0.map { $0 ?? "" }.joined(separator: "|") }
            case "sh":
                var words = example.input.split(separator: " ").map(String.init)
                XCTAssertEqual(words.first, "sediment", example.name)
                words.removeFirst()
                for (flag, instant) in zip(["--from", "--to"], instants) {
                    if let at = words.firstIndex(of: flag) { words[at + 1] = instant }
                }
                let result = try ws.sediment(words, config: world.configPath)
                XCTAssertEqual(result.status, 0, "\(example.name): \(result.stderr)")
                printed = result.out.components(separatedBy: "\n")
                while printed.last == "" { printed.removeLast() }
            default:
                XCTFail("\(example.name): an example is sql or sh, not \(example.language)")
                continue
            }
            XCTAssertEqual(printed.count, example.output.count, "\(example.name) printed:\n\(printed.joined(separator: "\n"))")
            for (actual, expected) in zip(printed, example.output) {
                XCTAssertTrue(Self.matches(actual, expected), "\(example.name): printed\n\(actual)\nwhere the page shows\n\(expected)")
            }
        }

        // The research commands' JSON, against their schemas, and what it says.
        let cards = try ws.sediment(["cards", "hf:lab/chat-7b", "--json"], config: world.configPath)
        XCTAssertEqual(cards.status, 0, cards.stderr)
        let versions = cards.jsonLines
        XCTAssertEqual(versions.map { $0["license"] as? String }, ["llama2", "apache-2.0", "apache-2.0"])
        XCTAssertEqual(versions.map { $0["license_changed"] as? Bool }, [false, true, false])
        XCTAssertEqual(versions.last?["sections"] as? [String], ["Chat 7B", "Limitations"])
        XCTAssertEqual(versions.last?["base_models"] as? [String], ["lab/base-7b"])
        try JSONSchemaTests.validate(cards.out.split(separator: "\n").map(String.init), against: "cards", in: ws.root)
        let hubCards = try ws.sediment(["cards", "--hub", "hf", "--json"], config: world.configPath)
        XCTAssertEqual(hubCards.status, 0, hubCards.stderr)
        XCTAssertEqual(Set(hubCards.jsonLines.compactMap { $0["package"] as? String }).count, 5, "every package of the hub")
        XCTAssertEqual(hubCards.jsonLines.filter { $0["license_changed"] as? Bool == true }.compactMap { $0["package"] as? String },
                       ["hf:lab/chat-7b"])
        try JSONSchemaTests.validate(hubCards.out.split(separator: "\n").map(String.init), against: "cards", in: ws.root)
        let both = try ws.sediment(["cards", "lab/chat-7b", "--hub", "hf"], config: world.configPath)
        XCTAssertEqual(both.status, 2, "a package and --hub together are a usage error: \(both.stderr)")

        let lineage = try ws.sediment(["lineage", "fans/chat-7b-lora", "--json"], config: world.configPath)
        XCTAssertEqual(lineage.status, 0, lineage.stderr)
        XCTAssertEqual(lineage.jsonLines.map { "\($0["direction"]!) \($0["depth"]!) \($0["id"]!) \($0["archived"]!)" },
                       ["ancestor 1 lab/chat-7b 1", "ancestor 2 lab/base-7b 1", "ancestor 1 other/not-archived 0"])
        try JSONSchemaTests.validate(lineage.out.split(separator: "\n").map(String.init), against: "lineage", in: ws.root)

        let turnover = try ws.sediment(["turnover", "--from", instants[0], "--to", instants[1], "--top", "3", "--json"],
                                       config: world.configPath)
        XCTAssertEqual(turnover.status, 0, turnover.stderr)
        let hf = try XCTUnwrap(turnover.jsonLines.first)
        XCTAssertEqual(hf["entered"] as? [String], ["fans/chat-7b-q4"])
        XCTAssertEqual(hf["left"] as? [String], ["solo/tiny-cnn"])
        XCTAssertEqual(hf["turnover"] as? Double ?? 0, 1.0 / 3.0, accuracy: 1e-9)
        try JSONSchemaTests.validate(turnover.out.split(separator: "\n").map(String.init), against: "turnover", in: ws.root)

        // Mistakes are named.
        let unknownHub = try ws.sediment(["turnover", "--hub", "nope", "--from", "2025-01-01", "--to", "2025-02-01"], config: world.configPath)
        XCTAssertEqual(unknownHub.status, 2)
        XCTAssertTrue(unknownHub.stderr.contains("no [[hub]] is named \"nope\""), unknownHub.stderr)
        let badDate = try ws.sediment(["turnover", "--from", "last week", "--to", "2025-02-01"], config: world.configPath)
        XCTAssertEqual(badDate.status, 2)
        XCTAssertTrue(badDate.stderr.contains("--from last week"), badDate.stderr)
    }

    /// A card that cannot be read is no licence change (the licence before it is compared
    /// with the next readable one); a removed card is one; a card kept in LFS is not read.
    func testCardVersionsThroughUnreadableRemovedAndLFSCards() throws {
        let ws = try Workspace()
        let repo = try ws.newRepository("org/cards")
        let versions: [(String?, String)] = [
            ("---\nlicense: mit\n---\n# A\n", "mit"),
            ("---\nlicense: [mit\n---\n# A\n", "broken front matter"),
            ("---\nlicense: apache-2.0\n---\n# A\n## B\n", "apache"),
            (nil, "card removed"),
            ("version https://git-lfs.github.com/spec/v1\noid sha256:\(PointerFixtures.oid)\nsize 12345\n", "card in LFS"),
            ("---\nlicense: apache-2.0\n---\n", "apache again"),
        ]
        for (text, message) in versions {
            if let text { try ws.write("README.md", text, in: repo) } else { try ws.git(["rm", "-q", "README.md"], in: repo) }
            try ws.write("log.txt", message + "\n", in: repo)
            try ws.commitAll(message, in: repo)
        }
        try ws.publish(repo, as: "org/cards")
        let daemon = try GitDaemon(root: ws.served, home: ws.home)
        try ws.configure([daemon.url("org/cards.git")])
        XCTAssertEqual(try ws.sediment(["sync"]).status, 0)
        let cards = try ws.sediment(["cards", "org/cards", "--json"])
        XCTAssertEqual(cards.status, 0, cards.stderr)
        let lines = cards.jsonLines
        XCTAssertEqual(lines.map { $0["change"] as? String }, ["added", "modified", "modified", "removed", "added", "modified"])
        XCTAssertEqual(lines.map { $0["state"] as? String }, ["ok", "unparseable", "ok", "absent", "unparseable", "ok"])
        XCTAssertEqual(lines.map { $0["license_changed"] as? Bool }, [false, false, true, true, false, true])
        XCTAssertEqual(lines[2]["previous_license"] as? String, "mit", "compared with the last readable version")
        XCTAssertEqual(lines[2]["sections"] as? [String], ["A", "B"])
        XCTAssertTrue((lines[4]["problem"] as? String ?? "").contains("LFS object"), "\(lines[4])")
        XCTAssertNil(lines[5]["previous_license"] as? String, "after a removal, the card had no licence")
        try JSONSchemaTests.validate(cards.out.split(separator: "\n").map(String.init), against: "cards", in: ws.root)
        let changes = try ws.sediment(["cards", "org/cards", "--license-changes"])
        XCTAssertEqual(changes.out.split(separator: "\n").count, 4, changes.out)
        XCTAssertTrue(changes.out.contains("mit -> apache-2.0") && changes.out.contains("apache-2.0 -> none")
                      && changes.out.contains("none -> apache-2.0"), changes.out)
    }

    /// A query's rows (with its column names first when `header`), through Python's sqlite3,
    /// values as text and NULL as nil; the query failing fails the test.
    private func rows(_ catalog: String, _ sql: String, header: Bool = false) throws -> [[String?]] {
        let result = try Shell.run(Shell.which("python3"), ["-c", """
            import json, sqlite3, sys
            db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
            cursor = db.execute(sys.argv[2])
            rows = [[d[0] for d in cursor.description]] if sys.argv[3] == "1" else []
            rows += [[None if v is None else str(v) for v in row] for row in cursor]
            print(json.dumps(rows))
            """, catalog, sql, header ? "1" : "0"])
        XCTAssertEqual(result.status, 0, "\(sql): \(result.stderr)")
        let decoded = try JSONSerialization.jsonObject(with: result.stdout) as? [[Any]] ?? []
        return decoded.map { $0.map { $0 as? String } }
    }
}
