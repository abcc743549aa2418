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
        func ask(_ schema: String, _ arguments: [String]) throws {
            let result = try ws.sediment(arguments + ["--json"], config: world.configPath)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.stderr)")
            outputs[schema, default: []] += result.out.split(separator: "\n").map(String.init)
        }
        try ask("packages", ["packages", "--all"])
        try ask("status", ["status"])
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

        let export = ws.root + "/export"
        let exported = try ws.sediment(["export", "--format", "jsonl", "--out", export], config: world.configPath)
        XCTAssertEqual(exported.status, 0, exported.stderr)
        for table in ["packages", "snapshots", "observations", "commits", "manifest_entries"] {
            let text = try String(contentsOfFile: export + "/\(table).jsonl", encoding: .utf8)
            outputs["export-" + table.replacingOccurrences(of: "_", with: "-"), default: []] += text.split(separator: "\n").map(String.init)
        }

        // Every schema is exercised, and every line is valid.
        let schemas = try FileManager.default.contentsOfDirectory(atPath: ServeFixture.projectRoot + "/docs/schemas")
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
        XCTAssertEqual(schemas, outputs.keys.sorted(), "one schema per output")
        let kinds = Set((outputs["diff"] ?? []).compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["kind"] as? String
        })
        XCTAssertTrue(kinds.isSuperset(of: ["commit", "ref", "modified", "weights", "config"]), "\(kinds)")
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : Shell.which("python3")
        for (schema, lines) in outputs.sorted(by: { $0.key < $1.key }) {
            XCTAssertFalse(lines.isEmpty, "\(schema): no output to check")
            let file = ws.root + "/\(schema).jsonl"
            try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            let check = try Shell.run(python, [ServeFixture.projectRoot + "/Tests/Support/validate_json.py",
                                               ServeFixture.projectRoot + "/docs/schemas/\(schema).json", file])
            XCTAssertEqual(check.status, 0, "\(schema): \(check.out) \(check.stderr)")
            XCTAssertEqual(check.out.trimmingCharacters(in: .whitespacesAndNewlines), "valid=\(lines.count)", schema)
        }
    }
}
