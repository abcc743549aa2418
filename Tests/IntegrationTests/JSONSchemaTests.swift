import Foundation
import XCTest

/// Every machine-readable output follows its JSON Schema under `docs/schemas/`: the fixture
/// world (six hub kinds, a retrained model, a force-push, a deletion) crawled twice, every
/// package asked with every command, and the export, each line validated by Python's
/// jsonschema (draft 2020-12).
final class JSONSchemaTests: XCTestCase {
    func testEveryJSONOutputFollowsItsSchema() throws {
        let ws = try Workspace()
        let world = try FixtureWorld(folder: ws.root + "/world", home: ws.home)
        var outputs: [String: [String]] = [:]
        for epoch in 1...2 {
            if epoch > 1 { try world.advance() }
            let sync = try ws.sediment(["sync", "--json"], config: world.configPath)
            XCTAssertEqual(sync.status, 0, sync.stderr)
            outputs["sync", default: []] += sync.out.split(separator: "\n").map(String.init)
        }
        func ask(_ schema: String, _ arguments: [String], exit: Int32 = 0) throws {
            let result = try ws.sediment(arguments + ["--json"], config: world.configPath)
            XCTAssertEqual(result.status, exit, "\(arguments): \(result.stderr)")
            outputs[schema, default: []] += result.out.split(separator: "\n").map(String.init)
        }
        try ask("packages", ["packages", "--all"])
        try ask("status", ["status"])
        try ask("trends", ["trends"])
        let packages = outputs["packages"]!.compactMap { line -> String? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let hub = object["hub"] as? String, let id = object["id"] as? String else { return nil }
            return hub + ":" + id
        }
        XCTAssertEqual(packages.count, 16)
        for package in packages {
            try ask("snapshots", ["snapshots", package])
            try ask("refs", ["refs", package])
            try ask("refs", ["refs", package, "--lost"])
            try ask("history", ["history", package])
            try ask("log", ["log", package])
            // Packages without a head (metadata only) have no manifest to show or diff.
            if try ws.sediment(["show", package], config: world.configPath).status == 0 {
                try ask("show", ["show", package])
            }
            let snapshots = try ws.sediment(["snapshots", package, "--json"], config: world.configPath).jsonLines
            if snapshots.count >= 2 { try ask("diff", ["diff", package]) }
        }
        let before = try world.head("hub:google-bert/bert-tiny", epoch: 1)
        try ask("diff", ["diff", "hf:google-bert/bert-tiny", before, "main"])
        try ask("diff", ["diff", "ours:org/model-a", try world.head("git:org/model-a", epoch: 1), "main"])

        try ask("unpark", ["unpark", "hf:google-bert/bert-tiny"])
        try ask("migrate", ["migrate"])
        try ask("rebuild-index", ["rebuild-index"])
        try ask("rebuild", ["rebuild", "--store", world.store + "/blobs", "--into", ws.root + "/rebuilt"])
        try ask("verify", ["verify"])
        // A mirror gone: verify reports the damage, and --repair what it could do.
        let mirrors = world.store + "/mirrors"
        let mirror = try XCTUnwrap(FileManager.default.subpathsOfDirectory(atPath: mirrors).first { $0.hasSuffix(".git") })
        try FileManager.default.removeItem(atPath: mirrors + "/" + mirror)
        try ask("verify", ["verify"], exit: 3)
        let repair = try ws.sediment(["verify", "--repair", "--json"], config: world.configPath)
        XCTAssertTrue([0, 3].contains(repair.status), repair.stderr)
        outputs["verify", default: []] += repair.out.split(separator: "\n").map(String.init)
        XCTAssertTrue(outputs["verify"]!.contains { $0.contains("\"type\":\"damage\"") }, "a damage line was checked")

        let export = ws.root + "/export"
        let exported = try ws.sediment(["export", "--format", "jsonl", "--out", export], config: world.configPath)
        XCTAssertEqual(exported.status, 0, exported.stderr)
        for table in ["packages", "snapshots", "observations", "commits", "manifest_entries"] {
            let text = try String(contentsOfFile: export + "/\(table).jsonl", encoding: .utf8)
            outputs["export-" + table.replacingOccurrences(of: "_", with: "-"), default: []] += text.split(separator: "\n").map(String.init)
        }

        // PTMTorrent's records, one array per hub; a plain git repository's record claims no
        // Hugging Face address and no owner page its server does not have.
        let ptm = ws.root + "/export-ptm"
        let ptmExport = try ws.sediment(["export", "--format", "ptmtorrent", "--out", ptm], config: world.configPath)
        XCTAssertEqual(ptmExport.status, 0, ptmExport.stderr)
        for file in try FileManager.default.contentsOfDirectory(atPath: ptm).sorted() where file.hasSuffix(".json") {
            let records = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: ptm + "/" + file))) as? [Any])
            for record in records {
                let line = String(decoding: try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]), as: UTF8.self)
                outputs["export-ptmtorrent", default: []].append(line)
            }
        }
        let ours = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: ptm + "/ours.json"))) as? [[String: Any]])
        XCTAssertEqual(ours.count, 1)
        let modelA = try XCTUnwrap(ours.first)
        let modelHub = try XCTUnwrap(modelA["ModelHub"] as? [String: Any])
        XCTAssertEqual(modelHub["ModelHubName"] as? String, "Git")
        XCTAssertEqual(modelHub["ModelHubURL"] as? String, "", "a git hub has no address of its own")
        XCTAssertEqual(modelHub["MetadataFilePath"] as? String, "", "a git hub has no metadata")
        XCTAssertEqual(modelA["ModelOwner"] as? String, "org")
        XCTAssertEqual(modelA["ModelName"] as? String, "model-a")
        XCTAssertTrue((modelA["ModelURL"] as? String ?? "").hasSuffix("/org/model-a"), "\(modelA)")
        XCTAssertEqual(modelA["ModelOwnerURL"] as? String, "", "a plain git server has no owner pages")
        XCTAssertEqual(modelA["LatestGitCommitSHA"] as? String, try world.head("git:org/model-a", epoch: 2))
        XCTAssertFalse(String(decoding: try JSONSerialization.data(withJSONObject: modelA), as: UTF8.self).contains("huggingface"), "\(modelA)")

        // Every schema is exercised, and every line is valid.
        let schemas = try FileManager.default.contentsOfDirectory(atPath: ServeFixture.projectRoot + "/docs/schemas")
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
        // `reuse` needs shared weights, which this world has none of: HuggingFaceTests checks it;
        // lineage, cards and turnover need a model family: ResearchTests checks them; catalog copy
        // needs PostgreSQL: PostgresArchiveTests checks it.
        XCTAssertEqual(schemas, (outputs.keys + ["reuse", "lineage", "cards", "turnover", "catalog-copy"]).sorted(), "one schema per output")
        let kinds = Set((outputs["diff"] ?? []).compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["kind"] as? String
        })
        XCTAssertTrue(kinds.isSuperset(of: ["commit", "ref", "modified", "weights", "config"]), "\(kinds)")
        for (schema, lines) in outputs.sorted(by: { $0.key < $1.key }) {
            try JSONSchemaTests.validate(lines, against: schema, in: ws.root)
        }
    }

    /// Validates JSON Lines against `docs/schemas/SCHEMA.json` with Python's jsonschema.
    static func validate(_ lines: [String], against schema: String, in folder: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertFalse(lines.isEmpty, "\(schema): no output to check", file: file, line: line)
        let path = folder + "/\(schema)-\(UUID().uuidString).jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : Shell.which("python3")
        let check = try Shell.run(python, [ServeFixture.projectRoot + "/Tests/Support/validate_json.py",
                                           ServeFixture.projectRoot + "/docs/schemas/\(schema).json", path])
        XCTAssertEqual(check.status, 0, "\(schema): \(check.out) \(check.stderr)", file: file, line: line)
        XCTAssertEqual(check.out.trimmingCharacters(in: .whitespacesAndNewlines), "valid=\(lines.count)", schema, file: file, line: line)
    }
}
