import Foundation
import SedimentStore
import XCTest

/// The `huggingface` hub end to end against the fixture hub: pagination, the same-sha skip,
/// rate limits and server errors, malformed listings, deleted and gated models.
final class HuggingFaceTests: XCTestCase {
    var ws: Workspace!
    var hub: FixtureHub!
    var models: [[String: Any]] = []

    override func setUpWithError() throws {
        ws = try Workspace()
        let root = ws.root + "/hub"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for (index, id) in ["acme/bert-tiny", "acme/gpt-mini", "labs/vit-small", "labs/t5-nano", "solo/gated-llm"].enumerated() {
            try makeModel(id, in: root, seed: index)
            models.append(["id": id, "downloads": 100 * (index + 1), "likes": index, "tags": ["transformers", index % 2 == 0 ? "text" : "vision"],
                           "pipeline_tag": "fill-mask", "library_name": "transformers", "gated": id.hasPrefix("solo/") ? "manual" : false,
                           "createdAt": "2024-01-0\(index + 1)T00:00:00.000Z", "cardData": ["license": "mit"]])
        }
        hub = try FixtureHub(root: root, home: ws.home, scratch: ws.root)
        try hub.setModels(models)
    }

    override func tearDownWithError() throws {
        hub = nil
        ws = nil
    }

    /// A small model repository: a card, a config, tokenizer files and an LFS weights pointer.
    func makeModel(_ id: String, in root: String, seed: Int) throws {
        let work = try ws.newRepository("hf/" + id)
        try ws.write("README.md", "---\nlicense: mit\ntags:\n- text\n---\n# \(id)\n", in: work)
        try ws.write("config.json", "{\"model_type\": \"bert\", \"hidden_size\": \(64 * (seed + 1))}\n", in: work)
        try ws.write(".gitattributes", "*.safetensors filter=lfs diff=lfs merge=lfs -text\n", in: work)
        let oid = String(repeating: String(format: "%02x", seed + 16), count: 32)
        try ws.write("model.safetensors", "version https://git-lfs.github.com/spec/v1\noid sha256:\(oid)\nsize \(1000 + seed)\n", in: work)
        try ws.commitAll("initial upload", in: work)
        try ws.publish(work, toBare: root + "/" + id + ".git")
    }

    func configure(pageSize: Int = 2, extraHub: String = "", tokenFile: String? = nil, gitRepos: [String] = []) throws {
        var text = """
            [storage]
            path = "\(ws.store)"

            \(ConfigText.quickRetries)

            \(ConfigText.huggingFaceHub(hub.endpoint))
            page_size = \(pageSize)
            \(tokenFile.map { "token_file = \"\($0)\"" } ?? "")
            \(extraHub)
            """
        if !gitRepos.isEmpty {
            text += "\n\n[[hub]]\nkind = \"git\"\nname = \"plain\"\nrepositories = [\(gitRepos.map { "\"\($0)\"" }.joined(separator: ", "))]\n"
        }
        try text.write(toFile: ws.configPath, atomically: true, encoding: .utf8)
    }

    func visits(_ result: ProcessResult) -> [String: [String: Any]] {
        Dictionary(result.jsonLines.compactMap { line in (line["package"] as? String).map { ($0, line) } }, uniquingKeysWith: { _, b in b })
    }

    func testListingPagesAndSameShaSkip() throws {
        try configure()
        let first = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(first.status, 1, "the gated model fails without a token: \(first.stderr)")
        let byID = visits(first)
        XCTAssertEqual(byID.count, 5)
        for id in ["acme/bert-tiny", "acme/gpt-mini", "labs/vit-small", "labs/t5-nano"] {
            XCTAssertEqual(byID[id]?["status"] as? String, "full", id)
            XCTAssertEqual(byID[id]?["eventful"] as? Bool, true, id)
        }
        XCTAssertEqual(byID["solo/gated-llm"]?["status"] as? String, "failed")
        XCTAssertTrue((byID["solo/gated-llm"]?["error"] as? String ?? "").contains("gated"), "\(byID["solo/gated-llm"] ?? [:])")
        // HF_TOKEN in the environment is the token when none is configured.
        let withToken = try ws.sediment(["sync", "--json", "--package", "hf:solo/gated-llm"], environment: ["HF_TOKEN": "hf_from_environment"])
        XCTAssertEqual(visits(withToken)["solo/gated-llm"]?["status"] as? String, "full", withToken.stderr)
        XCTAssertFalse(withToken.out.contains("hf_from_environment") || withToken.stderr.contains("hf_from_environment"))
        var stats = try hub.stats()
        XCTAssertEqual(stats.api["/api/models"], 6, "5 models at 2 per page: 3 listing pages, for each of two syncs")
        XCTAssertEqual(stats.git["acme/bert-tiny"], 1)

        // The archive has what the repository has.
        let show = try ws.sediment(["show", "hf:acme/bert-tiny", "--json"])
        XCTAssertEqual(Set(show.jsonLines.compactMap { $0["path"] as? String }), [".gitattributes", "README.md", "config.json", "model.safetensors"])
        XCTAssertNotNil(show.jsonLines.first { $0["path"] as? String == "model.safetensors" }?["lfs_oid"] as? String)
        let packages = try ws.sediment(["packages", "--json"]).jsonLines
        XCTAssertEqual(packages.first { $0["id"] as? String == "acme/bert-tiny" }?["repository"] as? String, hub.endpoint + "/acme/bert-tiny")

        // Nothing changed: every archived package skips git, and its new metadata is recorded.
        models[0]["downloads"] = 12345
        try hub.setModels(models)
        try hub.resetStats()
        let second = try ws.sediment(["sync", "--json"])
        for id in ["acme/bert-tiny", "acme/gpt-mini", "labs/vit-small", "labs/t5-nano"] {
            XCTAssertEqual(visits(second)[id]?["skipped_git"] as? Bool, true, id)
            XCTAssertEqual(visits(second)[id]?["eventful"] as? Bool, false, id)
        }
        stats = try hub.stats()
        XCTAssertEqual(stats.git["acme/bert-tiny"] ?? 0, 0, "no git connection for an unchanged package")
        XCTAssertEqual(stats.git["labs/t5-nano"] ?? 0, 0)
        let catalog = try Catalog(readOnlyPath: ws.store + "/catalog.sqlite")
        let package = try catalog.package(named: "hf:acme/bert-tiny")
        let metadata = try catalog.metadata(package: package.rowID)
        XCTAssertEqual(metadata.count, 1, "metadata that changed only in its downloads is not stored again: the observation has them")

        // An observation at every visit, eventful or not, with the hub's new metrics.
        let history = try ws.sediment(["history", "hf:acme/bert-tiny", "--json"]).jsonLines
        XCTAssertEqual(history.count, 2)
        XCTAssertEqual(history.map { $0["downloads"] as? Int }, [100, 12345])
        XCTAssertEqual(history.map { $0["commits_total"] as? Int }, [1, 1])
        XCTAssertEqual(history.map { $0["commits_new"] as? Int }, [1, 0])
        for row in history {
            XCTAssertEqual(row["card_license"] as? String, "mit")
            XCTAssertEqual(row["card_tags"] as? [String], ["text"], "a JSON column is a JSON value")
            XCTAssertEqual(row["config_model_type"] as? String, "bert")
            XCTAssertEqual(row["files"] as? Int, 4)
            XCTAssertEqual(row["lfs_files"] as? Int, 1)
            XCTAssertEqual(row["lfs_bytes"] as? Int, 1000)
            let formats = row["weight_formats"] as? [String: [String: Int]]
            XCTAssertEqual(formats?["safetensors"], ["bytes": 1000, "files": 1], "\(row)")
        }
        let csv = try ws.sediment(["history", "hf:acme/bert-tiny", "--csv"]).out.split(separator: "\n")
        XCTAssertEqual(csv.count, 3)
        XCTAssertTrue(csv[0].hasPrefix("observed_at,downloads,likes,"), String(csv[0]))

        // A new commit upstream: only that package goes to git, and it gets a new snapshot.
        let work = ws.work + "/hf/acme/gpt-mini"
        try ws.write("config.json", "{\"model_type\": \"gpt2\"}\n", in: work)
        try ws.commitAll("switch architecture", in: work)
        try ws.git(["push", "-q", hub.root + "/acme/gpt-mini.git", "main"], in: work)
        try hub.resetStats()
        let third = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(visits(third)["acme/gpt-mini"]?["eventful"] as? Bool, true)
        XCTAssertEqual(visits(third)["acme/gpt-mini"]?["new_commits"] as? Int, 1)
        XCTAssertEqual(visits(third)["acme/bert-tiny"]?["skipped_git"] as? Bool, true)
        stats = try hub.stats()
        XCTAssertEqual(stats.git["acme/gpt-mini"], 1)
        XCTAssertEqual(stats.git["acme/bert-tiny"] ?? 0, 0)
    }

    func testRateLimitsServerErrorsAndMalformedListings() throws {
        let plain = try ws.newRepository("plain/other")
        try ws.write("a.txt", "a\n", in: plain)
        try ws.commitAll("a", in: plain)
        models.removeLast()  // no gated model here
        try hub.setModels(models)
        try configure(gitRepos: [plain])

        // A 429 with Retry-After is waited out, then the listing goes on.
        try hub.inject([["path_prefix": "/api/models", "status": 429, "times": 1, "retry_after": "1"]])
        let limited = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(limited.status, 0, limited.stderr)
        XCTAssertEqual(visits(limited).count, 5)

        // Server errors past the retry bound fail that hub clearly; the git hub still syncs.
        try hub.inject([["path_prefix": "/api/models", "status": 500, "times": 10]])
        let failing = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(failing.status, 1)
        XCTAssertTrue(failing.stderr.contains("hub hf") && failing.stderr.contains("HTTP 500"), failing.stderr)
        XCTAssertEqual(visits(failing)[String(plain.dropFirst())]?["status"] as? String, "full")
        try hub.clearFaults()

        // A malformed listing fails that hub, with the reason.
        try hub.inject([["path_prefix": "/api/models", "status": 200, "times": 1, "malformed": true]])
        let malformed = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(malformed.status, 1)
        XCTAssertTrue(malformed.stderr.contains("did not answer a JSON array"), malformed.stderr)
        XCTAssertEqual(visits(malformed)[String(plain.dropFirst())]?["status"] as? String, "full")
        let status = try ws.sediment(["status", "--json"])
        XCTAssertEqual(status.status, 0)
        let hubs = status.jsonLines.first?["hubs"] as? [[String: Any]] ?? []
        let hf = hubs.first { $0["name"] as? String == "hf" }
        XCTAssertTrue((hf?["last_crawl_error"] as? String ?? "").contains("JSON array"), "status says why the hub failed: \(hf ?? [:])")
    }

    /// A git server answering 5xx is retried a bounded number of times: a short outage is
    /// ridden out, a long one is a failed visit that names the status.
    func testServerErrorsOnGitAreRetriedThenFail() throws {
        models.removeLast()
        try hub.setModels(models)
        try configure()
        try hub.inject([["path_prefix": "/acme/bert-tiny", "status": 503, "times": 2]])
        let recovered = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(recovered.status, 0, recovered.stderr)
        XCTAssertEqual(visits(recovered)["acme/bert-tiny"]?["status"] as? String, "full")
        XCTAssertEqual(try hub.stats().git["acme/bert-tiny"], 3, "two refused connections, then the one that worked")

        let work = ws.work + "/hf/acme/gpt-mini"
        try ws.write("notes.txt", "new\n", in: work)
        try ws.commitAll("notes", in: work)
        try ws.git(["push", "-q", hub.root + "/acme/gpt-mini.git", "main"], in: work)
        try hub.resetStats()
        try hub.inject([["path_prefix": "/acme/gpt-mini", "status": 500, "times": 50]])
        let failed = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(failed.status, 1)
        XCTAssertEqual(visits(failed)["acme/gpt-mini"]?["status"] as? String, "failed")
        XCTAssertTrue((visits(failed)["acme/gpt-mini"]?["error"] as? String ?? "").contains("500"), failed.out)
        XCTAssertEqual(try hub.stats().git["acme/gpt-mini"], 3, "max_attempts = 3 bounds the retries")
        XCTAssertEqual(visits(failed)["acme/bert-tiny"]?["status"] as? String, "full", "the other packages are not held up")
    }

    func testDeletedAndGatedModels() throws {
        let token = ws.root + "/hf-token"
        try "hf_fixture_token_42\n".write(toFile: token, atomically: true, encoding: .utf8)
        try configure(tokenFile: token)
        let first = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(visits(first)["solo/gated-llm"]?["status"] as? String, "full", "with a token the gated model is archived")
        XCTAssertFalse(first.out.contains("hf_fixture_token_42") || first.stderr.contains("hf_fixture_token_42"))

        // The hub deletes a model: it is marked deleted, and its archive stays.
        models[1]["deleted"] = true
        try hub.setModels(models)
        let second = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(second.status, 0, "a model the hub deleted is archived news, not a failure: \(second.stderr)")
        XCTAssertEqual(visits(second)["acme/gpt-mini"]?["status"] as? String, "not-found", second.out)
        XCTAssertEqual(visits(second)["acme/gpt-mini"]?["deleted_upstream"] as? Bool, true)
        let failing = try ws.sediment(["status", "--json"]).jsonLines.first?["failing"] as? [[String: Any]] ?? []
        XCTAssertTrue(failing.isEmpty, "a deleted package is not failing: \(failing)")
        let packages = try ws.sediment(["packages", "--all", "--json"]).jsonLines
        XCTAssertEqual(packages.first { $0["id"] as? String == "acme/gpt-mini" }?["deleted"] as? Bool, true)
        XCTAssertEqual(packages.first { $0["id"] as? String == "acme/bert-tiny" }?["deleted"] as? Bool, false)
        XCTAssertNil(try ws.sediment(["packages", "--json"]).jsonLines.first { $0["id"] as? String == "acme/gpt-mini" }, "without --all, only listed packages")
        let archived = try ws.sediment(["show", "hf:acme/gpt-mini", "config.json"])
        XCTAssertEqual(archived.status, 0, archived.stderr)
        XCTAssertTrue(archived.out.contains("bert"))
        let catalog = try Data(contentsOf: URL(fileURLWithPath: ws.store + "/catalog.sqlite"))
        XCTAssertNil(catalog.range(of: Data("hf_fixture_token_42".utf8)), "the token never reaches the catalog")
    }
}

extension HuggingFaceTests {
    /// The PTMTorrent export validates against the dataset's schema, one record per package;
    /// JSON Lines and CSV exports hold every row, CSV with its header.
    func testExports() throws {
        let token = ws.root + "/hf-token"
        try "hf_fixture_token_42\n".write(toFile: token, atomically: true, encoding: .utf8)
        models[0]["tags"] = ["transformers", "doi:10.57967/hf/0001"]
        models[0]["pipeline_tag"] = "fill-mask"
        try hub.setModels(models)
        try configure(tokenFile: token)
        XCTAssertEqual(try ws.sediment(["sync"]).status, 0)

        let out = ws.root + "/export"
        let ptm = try ws.sediment(["export", "--format", "ptmtorrent", "--out", out])
        XCTAssertEqual(ptm.status, 0, ptm.stderr)
        let records = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/hf.json"))) as? [[String: Any]])
        XCTAssertEqual(records.count, 5, "one record per package")
        let bert = try XCTUnwrap(records.first { $0["ModelName"] as? String == "bert-tiny" })
        XCTAssertEqual(bert["ModelOwner"] as? String, "acme")
        XCTAssertEqual(bert["ModelPaperDOIs"] as? [String], ["doi:10.57967/hf/0001"])
        XCTAssertEqual(bert["ModelTask"] as? String, "fill-mask")
        XCTAssertEqual(bert["ModelArchitecture"] as? String, "bert")
        let head = try ws.git(["rev-parse", "HEAD"], in: hub.root + "/acme/bert-tiny.git").trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(bert["LatestGitCommitSHA"] as? String, head)

        let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/reference/ptmtorrent-ptmtorrent.schema.json").path
        if FileManager.default.fileExists(atPath: schema) {
            let check = try Shell.run(Shell.which("python3"), ["-c", """
                import json, sys, jsonschema
                schema = json.load(open(sys.argv[1]))
                records = json.load(open(sys.argv[2]))
                for r in records:
                    jsonschema.validate(r, schema)
                print(len(records))
                """, schema, out + "/hf.json"])
            XCTAssertEqual(check.status, 0, check.stderr)
            XCTAssertEqual(check.out.trimmingCharacters(in: .whitespacesAndNewlines), "5")
        }

        for format in ["jsonl", "csv"] {
            let result = try ws.sediment(["export", "--format", format, "--out", out])
            XCTAssertEqual(result.status, 0, result.stderr)
            for table in ["packages", "snapshots", "observations", "commits", "manifest_entries"] {
                let text = try String(contentsOfFile: out + "/\(table).\(format)", encoding: .utf8)
                let lines = text.split(separator: "\n")
                XCTAssertFalse(lines.isEmpty, "\(table).\(format)")
                if format == "csv" { XCTAssertTrue(lines[0].hasPrefix(table == "commits" ? "repository,commit" : table == "manifest_entries" ? "manifest," : "hub,"), String(lines[0])) }
            }
            XCTAssertTrue(result.out.contains("packages.\(format): 5 records"), result.out)
            XCTAssertTrue(result.out.contains("manifest_entries.\(format): 20 records"), result.out)
        }
        // One shape per concept: the export's records as the commands print them.
        func exportedRecords(_ table: String) throws -> [[String: Any]] {
            try String(contentsOfFile: out + "/\(table).jsonl", encoding: .utf8).split(separator: "\n").map {
                try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
        }
        let printed = try ws.sediment(["snapshots", "hf:acme/bert-tiny", "--json"]).jsonLines
        let exported = try exportedRecords("snapshots").filter { $0["package"] as? String == "acme/bert-tiny" }
        XCTAssertEqual(exported.count, printed.count)
        XCTAssertEqual(exported.first?["refs"] as? [String: String], printed.first?["refs"] as? [String: String], "refs as an object in both")
        XCTAssertNotNil(exported.first?["refs"] as? [String: String])
        let log = try ws.sediment(["log", "hf:acme/bert-tiny", "--json"]).jsonLines
        let commits = try exportedRecords("commits")
        for printedCommit in log {
            let id = printedCommit["commit"] as? String
            let match = try XCTUnwrap(commits.first { $0["commit"] as? String == id }, "commit \(id ?? "?") exported")
            for key in ["author_time", "committer_time", "author_offset", "committer_offset"] {
                XCTAssertEqual("\(match[key] ?? "-")", "\(printedCommit[key] ?? "+")", key)
            }
            XCTAssertTrue((match["committer_time"] as? String ?? "").hasSuffix("Z"), "times are ISO 8601 UTC")
            XCTAssertEqual(match["parents"] as? [String], printedCommit["parents"] as? [String])
        }
        XCTAssertTrue(commits.contains { ($0["parents"] as? [String]) == [] }, "a root commit's parents are []")
        XCTAssertTrue(try exportedRecords("observations").allSatisfy { $0["card_tags"] == nil || $0["card_tags"] is NSNull || $0["card_tags"] is [Any] })
        let entries = try String(contentsOfFile: out + "/manifest_entries.jsonl", encoding: .utf8).split(separator: "\n")
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(entries[0].utf8)) as? [String: Any])
        XCTAssertNotNil(object["sha256"] as? String)
        let bad = try ws.sediment(["export", "--format", "xml", "--out", out])
        XCTAssertEqual(bad.status, 2)
    }
}

extension HuggingFaceTests {
    /// Two models that carry the same weights (one re-uploaded the other's) form a reuse group.
    func testReuseFindsSharedWeights() throws {
        models.removeLast()
        try hub.setModels(models)
        try configure()
        let source = ws.work + "/hf/acme/bert-tiny/model.safetensors"
        let copy = ws.work + "/hf/labs/vit-small"
        try FileManager.default.removeItem(atPath: copy + "/model.safetensors")
        try FileManager.default.copyItem(atPath: source, toPath: copy + "/model.safetensors")
        try ws.write("weights/extra.bin", Workspace.bytes(300, seed: 9), in: copy)
        try ws.commitAll("re-upload bert-tiny's weights", in: copy)
        try ws.git(["push", "-q", hub.root + "/labs/vit-small.git", "main"], in: copy)
        let other = ws.work + "/hf/labs/t5-nano"
        try ws.write("weights/extra.bin", Workspace.bytes(300, seed: 9), in: other)
        try ws.commitAll("same small weight file", in: other)
        try ws.git(["push", "-q", hub.root + "/labs/t5-nano.git", "main"], in: other)
        XCTAssertEqual(try ws.sediment(["sync"]).status, 0)

        let reuse = try ws.sediment(["reuse", "--json"])
        try JSONSchemaTests.validate(reuse.out.split(separator: "\n").map(String.init), against: "reuse", in: ws.root)
        let groups = reuse.jsonLines
        XCTAssertEqual(groups.count, 2, "\(groups)")
        let lfs = try XCTUnwrap(groups.first { $0["kind"] as? String == "lfs" })
        XCTAssertEqual(lfs["oid"] as? String, String(repeating: "10", count: 32))
        XCTAssertEqual(Set((lfs["packages"] as? [[String: Any]] ?? []).compactMap { $0["package"] as? String }), ["hf:acme/bert-tiny", "hf:labs/vit-small"])
        let file = try XCTUnwrap(groups.first { $0["kind"] as? String == "file" })
        XCTAssertEqual(file["size"] as? Int, 300)
        XCTAssertEqual(Set((file["packages"] as? [[String: Any]] ?? []).compactMap { $0["package"] as? String }), ["hf:labs/vit-small", "hf:labs/t5-nano"])
        let human = try ws.sediment(["reuse"])
        XCTAssertTrue(human.out.contains("in 2 places, 2 packages"), human.out)

        // The time-series views answer; the re-upload is a weight change of labs/vit-small.
        let views = try Shell.run(Shell.which("python3"), ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print(sorted({r[0] for r in db.execute("SELECT package FROM weight_changes")}))
            print(db.execute("SELECT COUNT(*) FROM package_timeseries").fetchone()[0] > 0)
            print(db.execute("SELECT COUNT(*) FROM license_changes").fetchone()[0])
            """, ws.store + "/catalog.sqlite"])
        XCTAssertEqual(views.status, 0, views.stderr)
        XCTAssertEqual(views.out.split(separator: "\n").map(String.init),
                       ["['acme/bert-tiny', 'acme/gpt-mini', 'labs/t5-nano', 'labs/vit-small']", "True", "0"])

        // An LFS file's content is its object, which a pointers-only archive does not hold.
        let weights = try ws.sediment(["show", "hf:acme/bert-tiny", "model.safetensors"])
        XCTAssertEqual(weights.status, 1)
        XCTAssertTrue(weights.stderr.contains("Git LFS pointer") && weights.stderr.contains("not archived"), weights.stderr)
    }
}
