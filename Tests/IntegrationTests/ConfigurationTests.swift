import Foundation
import SedimentEngine
import SedimentPostgres
import SedimentS3
import XCTest

/// A bad configuration stops with exit 2 and a message naming the file, the key and what was expected.
final class ConfigurationTests: XCTestCase {
    func check(_ text: String, mentions: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let ws = try Workspace()
        try text.write(toFile: ws.configPath, atomically: true, encoding: .utf8)
        let result = try ws.sediment(["sync"])
        XCTAssertEqual(result.status, 2, result.stderr, file: file, line: line)
        for word in [ws.configPath] + mentions {
            XCTAssertTrue(result.stderr.contains(word), "expected \"\(word)\" in: \(result.stderr)", file: file, line: line)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: ws.store), "a bad configuration must not create the archive", file: file, line: line)
    }

    func testUnknownKey() throws {
        try check("[storage]\npath = \"store\"\nblob_max = 5\n", mentions: ["storage.blob_max", "unknown key", "blob_max_bytes"])
    }

    func testWrongType() throws {
        try check("[storage]\nblob_max_bytes = \"big\"\n", mentions: ["storage.blob_max_bytes", "expected an integer"])
    }

    func testMissingRepositories() throws {
        try check("[[hub]]\nkind = \"git\"\n", mentions: ["hub[0].repositories", "missing"])
    }

    func testUnknownHubKind() throws {
        try check("[[hub]]\nkind = \"gitlab\"\nrepositories = []\n", mentions: ["hub[0].kind", "huggingface"])
    }

    func testNoHubIsAConfigurationError() throws {
        try check("[storage]\npath = \"store\"\n", mentions: ["[[hub]]", "at least one hub"])
    }

    func testRepositoryThatIsNotAURLOrPath() throws {
        try check("[[hub]]\nkind = \"git\"\nrepositories = [\"https://example.org/org/a\", \"not a url at all\"]\n",
                  mentions: ["hub[0].repositories[1]", "\"not a url at all\"", "repository URL"])
        try check("[[hub]]\nkind = \"git\"\nrepositories = [\"/srv/git/a.git\"]\n[[hub]]\nkind = \"git\"\nname = \"b\"\nrepositories = [\"ftp://example.org/b\"]\n",
                  mentions: ["hub[1].repositories[0]", "ftp"])
        try check("[[hub]]\nkind = \"pytorch-hub\"\nindex = \"pytorch hub\"\n", mentions: ["hub[0].index", "repository URL"])
    }

    func testRepositoryTablesNeedAURLAndAGoodUniqueID() throws {
        let hub = "[[hub]]\nkind = \"git\"\nrepositories = "
        try check(hub + "[{ id = \"org/a\" }]\n", mentions: ["hub[0].repositories[0].url", "missing"])
        try check(hub + "[{ url = \"https://h/a\", id = \"../etc\" }]\n", mentions: ["hub[0].repositories[0].id", "\"../etc\"", "package id"])
        try check(hub + "[{ url = \"https://h/a\", id = \"org/a b\" }]\n", mentions: ["hub[0].repositories[0].id", "package id"])
        try check(hub + "[{ url = \"https://h/a\", id = \"x\" }, { url = \"https://k/a\", id = \"x\" }]\n",
                  mentions: ["hub[0].repositories[1].id", "\"x\" is already hub[0].repositories[0]'s"])
        try check(hub + "[\"https://h/a\", { url = \"https://h/a\", id = \"y\" }]\n",
                  mentions: ["hub[0].repositories[1]", "already hub[0].repositories[0]"])
        try check(hub + "[{ url = \"https://h/a\", name = \"y\" }]\n", mentions: ["hub[0].repositories[0].name", "unknown key"])
        try check(hub + "[{ url = \"ftp://h/a\" }]\n", mentions: ["hub[0].repositories[0].url", "ftp"])
        try check(hub + "[3]\n", mentions: ["hub[0].repositories[0]", "{ url = "])
    }

    func testInvalidTOML() throws {
        try check("[storage\npath = 1\n", mentions: ["not valid TOML", "line 1"])
    }

    func testBadLFSPolicyAndDuration() throws {
        try check("[storage]\nlfs = \"all\"\n", mentions: ["storage.lfs", "\"pointers\" or \"fetch\""])
        try check("[storage]\nlfs = \"fetch\"\nlfs_include = [\"*.bin\", \" \"]\n", mentions: ["storage.lfs_include[1]", "glob pattern"])
        try check("[storage]\nlfs = \"fetch\"\nlfs_max_bytes = -1\n", mentions: ["storage.lfs_max_bytes", "at least 0"])
        try check("[storage]\nlfs = \"fetch\"\nfree_space_reserve = -1\n", mentions: ["storage.free_space_reserve", "at least 0"])
        try check("[storage]\nlfs = \"fetch\"\nfree_space_reserve = \"1G\"\n", mentions: ["storage.free_space_reserve", "integer"])
        try check("[daemon]\ninterval = \"soon\"\n", mentions: ["daemon.interval", "duration"])
    }

    func testBadDaemonSettings() throws {
        try check("[daemon]\nstop_timeout = \"soon\"\n", mentions: ["daemon.stop_timeout", "duration"])
        try check("[daemon]\nmin_revisit = \"2d\"\nmax_revisit = \"1d\"\n", mentions: ["daemon.min_revisit", "max_revisit"])
        try check("[daemon]\npark_after = 0\n", mentions: ["daemon.park_after", "at least 1"])
        try check("[daemon]\nlog_level = \"loud\"\n", mentions: ["daemon.log_level", "notice"])
        try check("[daemon]\nrevisit = \"1h\"\n", mentions: ["daemon.revisit", "unknown key", "parked_revisit"])
    }

    func testBadTimeouts() throws {
        try check("[daemon]\nvisit_timeout = \"forever\"\n", mentions: ["daemon.visit_timeout", "duration"])
        try check("[http]\nstall_timeout = \"0s\"\n", mentions: ["http.stall_timeout", "duration"])
        try check("[http]\nconnect_timeout = 30\n", mentions: ["http.connect_timeout", "expected a string"])
        try check("[http]\nmax_pause = \"forever\"\n", mentions: ["http.max_pause", "duration"])
    }

    func testBadLimits() throws {
        try check("[limits]\nlisting_bytes = 10\n", mentions: ["limits.listing_bytes", "at least 1024"])
        try check("[limits]\nmax_listing_bytes = 1048576\n", mentions: ["limits.max_listing_bytes", "unknown key", "json_values"])
        try check("[limits]\njson_values = \"many\"\n", mentions: ["limits.json_values", "expected an integer"])
    }

    func testMissingConfigFile() throws {
        let ws = try Workspace()
        let result = try ws.sediment(["status"], config: ws.root + "/absent.toml")
        XCTAssertEqual(result.status, 2)
        for word in ["sediment: error: ", ws.root + "/absent.toml", "--config", "$SEDIMENT_CONFIG", "/etc/sediment/sediment.toml", "./sediment.toml"] {
            XCTAssertTrue(result.stderr.contains(word), "expected \"\(word)\" in: \(result.stderr)")
        }
        // Through $SEDIMENT_CONFIG, the same.
        let viaEnvironment = try Shell.run(Shell.sedimentBinary, ["status"], cwd: ws.root,
                                           env: ProcessInfo.processInfo.environment.merging(["SEDIMENT_CONFIG": ws.root + "/gone.toml"]) { _, new in new })
        XCTAssertEqual(viaEnvironment.status, 2)
        XCTAssertTrue(viaEnvironment.stderr.contains(ws.root + "/gone.toml") && viaEnvironment.stderr.contains("--config"), viaEnvironment.stderr)
    }

    /// A command that writes says which archive it writes to, before anything else.
    func testWritingCommandsNameTheArchive() throws {
        let ws = try Workspace()
        let repo = try ws.newRepository("org/named")
        try ws.write("a.txt", "a\n", in: repo)
        try ws.commitAll("a", in: repo)
        try ws.configure([repo])
        let sync = try ws.sediment(["sync"])
        XCTAssertEqual(sync.status, 0, sync.stderr)
        XCTAssertEqual(sync.stderr.components(separatedBy: "\n").first, "sediment: archive: \(ws.store)", sync.stderr)
        XCTAssertTrue(try ws.sediment(["verify", "--repair"]).stderr.contains("sediment: archive: \(ws.store)"))
        XCTAssertFalse(try ws.sediment(["status"]).stderr.contains("archive:"), "read-only commands write nothing, and say nothing of it")
    }

    /// A usage error has the same prefix as every other error.
    func testUsageErrorHasTheErrorPrefix() throws {
        let ws = try Workspace()
        try ws.configure([ws.root + "/nothing"])
        let result = try ws.sediment(["verify", "--sample", "0"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.hasPrefix("sediment: error: --sample must be"), result.stderr)
        XCTAssertTrue(result.stderr.contains("Usage: sediment verify"), result.stderr)
    }

    func testUsageErrorExitsTwo() throws {
        let ws = try Workspace()
        let result = try Shell.run(Shell.sedimentBinary, ["sync", "--no-such-flag"])
        XCTAssertEqual(result.status, 2, result.stderr)
        _ = ws
    }

    func testTokenNeverAppearsInOutput() throws {
        let ws = try Workspace()
        let token = "hf_SECRETTOKEN1234567890"
        try token.write(toFile: ws.root + "/token", atomically: true, encoding: .utf8)
        let port = freePort()
        try ws.configure(["http://127.0.0.1:\(port)/org/x.git", "https://user:\(token)@127.0.0.1:\(port)/org/y.git"],
                         extra: "token_file = \"\(ws.root)/token\"")
        let result = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(result.status, 1)
        XCTAssertFalse(result.out.contains(token) || result.stderr.contains(token), result.out + result.stderr)
        let status = try ws.sediment(["status", "--json"])
        XCTAssertFalse(status.out.contains(token))
        let catalog = try Data(contentsOf: URL(fileURLWithPath: ws.store + "/catalog.sqlite"))
        XCTAssertNil(catalog.range(of: Data(token.utf8)), "the token must not reach the catalog")
    }

    func testSecondWriterIsRefused() throws {
        let ws = try Workspace()
        try ws.configure([ws.root + "/nothing"])
        try FileManager.default.createDirectory(atPath: ws.store, withIntermediateDirectories: true)
        // Hold the storage lock as another sediment process would (flock is per open file).
        let fd = open(ws.store + "/lock", O_RDWR | O_CREAT, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        XCTAssertEqual(flock(fd, LOCK_EX | LOCK_NB), 0)
        _ = "pid 4242\n".withCString { write(fd, $0, 9) }
        let result = try ws.sediment(["sync"])
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("in use by another sediment process (pid 4242)"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: ws.store + "/catalog.sqlite"), "nothing is written without the lock")
    }
}

extension ConfigurationTests {
    /// A catalog written by an earlier version (missing a later migration) is upgraded before
    /// a read-only command reads it.
    func testOlderCatalogIsUpgradedBeforeReading() throws {
        let ws = try Workspace()
        let repo = try ws.newRepository("org/old")
        try ws.write("a.txt", "a\n", in: repo)
        try ws.commitAll("a", in: repo)
        try ws.configure([repo])
        XCTAssertEqual(try ws.sediment(["sync"]).status, 0)
        // Back to the catalog of the version before "v9" (no parse states, no package scope),
        // with observations in one table as before "v14" and no research views (v15).
        let downgrade = try Shell.run(Shell.which("python3"), ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            for view in ["card_field_values", "card_evolution", "lineage", "format_changes", "package_activity", "commit_activity",
                         "package_commits", "package_timeseries", "license_changes", "weight_changes", "observation"]:
                db.execute("DROP VIEW " + view)
            db.execute("DROP TABLE crawl_problem")
            db.execute("CREATE TABLE observation AS SELECT o.visit_id, o.package_id, o.observed_at, o.downloads, o.likes, "
                       "o.hub_metrics, f.commits_total, o.commits_new, f.files, f.bytes, f.lfs_files, f.lfs_bytes, f.weight_formats, "
                       "f.card_license, f.card_tags, f.card_datasets, f.card_language, f.card_base_model, f.card_pipeline_tag, "
                       "f.card_library_name, f.card_has_model_index, f.card_bytes, f.card_has_body, f.card_fields, f.config_architectures, "
                       "f.config_model_type, f.config_torch_dtype, f.config_transformers_version, f.config_fields, f.problems "
                       "FROM observation_point o JOIN observation_facts f ON f.id = o.facts_id")
            db.execute("DROP TABLE observation_point")
            db.execute("DROP TABLE observation_facts")
            db.execute("ALTER TABLE package DROP COLUMN scope")
            db.execute("DELETE FROM grdb_migrations WHERE identifier LIKE 'v9%' OR identifier LIKE 'v14%' OR identifier LIKE 'v15%'")
            db.commit()
            """, ws.store + "/catalog.sqlite"])
        XCTAssertEqual(downgrade.status, 0, downgrade.stderr)
        let history = try ws.sediment(["history", String(repo.dropFirst()), "--json"])
        XCTAssertEqual(history.status, 0, history.stderr)
        XCTAssertEqual(history.jsonLines.count, 1)
        XCTAssertEqual(history.jsonLines.first?["card_state"] as? String, "absent", "earlier rows are filled in by the upgrade")
        XCTAssertEqual(try ws.sediment(["sync"]).status, 0)
        XCTAssertEqual(try ws.sediment(["history", String(repo.dropFirst()), "--json"]).jsonLines.count, 2)
    }
}

/// `[storage] store`, `endpoint` and `region`: where the store lives.
extension ConfigurationTests {
    func testBadStoreLocationsAreConfigurationErrors() throws {
        let hub = "[[hub]]\nkind = \"git\"\nrepositories = [\"/srv/git/a.git\"]\n"
        try check("[storage]\nstore = \"s3://\"\n" + hub, mentions: ["storage.store", "no bucket name"])
        try check("[storage]\nstore = \"s3://AKIAX:hunter2@bucket/p\"\n" + hub, mentions: ["storage.store", "credentials"])
        try check("[storage]\nstore = \"gs://bucket/p\"\n" + hub, mentions: ["storage.store", "gs://"])
        try check("[storage]\nendpoint = \"minio:9000\"\n" + hub, mentions: ["storage.endpoint", "http://"])
        try check("[storage]\nregion = \"eu central\"\n" + hub, mentions: ["storage.region", "us-east-1"])
        let ws = try Workspace()
        try ("[storage]\nstore = \"s3://AKIAX:hunter2@bucket/p\"\n" + hub).write(toFile: ws.configPath, atomically: true, encoding: .utf8)
        let result = try ws.sediment(["sync"])
        XCTAssertFalse(result.stderr.contains("hunter2"), "a secret in the store URL reached the error: \(result.stderr)")
    }

    func testStoreLocationsAreRead() throws {
        let folder = NSTemporaryDirectory() + "store-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let hub = "[[hub]]\nkind = \"git\"\nrepositories = [\"/srv/git/a.git\"]\n"
        let path = folder + "/sediment.toml"
        try ("[storage]\npath = \"data\"\n" + hub).write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try Configuration.load(path: path).storeLocation, .local(path: folder + "/data/blobs"))
        try ("[storage]\npath = \"data\"\nstore = \"../elsewhere/blobs\"\n" + hub).write(toFile: path, atomically: true, encoding: .utf8)
        let parent = (folder as NSString).deletingLastPathComponent
        XCTAssertEqual(try Configuration.load(path: path).storeLocation, .local(path: parent + "/elsewhere/blobs"))
        try ("[storage]\nstore = \"s3://archive/sediment/v1/\"\nendpoint = \"http://127.0.0.1:9000\"\nregion = \"eu-central-1\"\n" + hub)
            .write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try Configuration.load(path: path)
        XCTAssertEqual(configuration.storeLocation, .s3(try S3Location(bucket: "archive", prefix: "sediment/v1")))
        XCTAssertEqual(configuration.storage.endpoint, "http://127.0.0.1:9000")
        XCTAssertEqual(configuration.storage.region, "eu-central-1")
    }

    func testBadCatalogLocationsAreConfigurationErrors() throws {
        let hub = "[[hub]]\nkind = \"git\"\nrepositories = [\"/srv/git/a.git\"]\n"
        try check("[catalog]\nurl = \"mysql://db/sediment\"\n" + hub, mentions: ["catalog.url", "mysql://"])
        try check("[catalog]\nurl = \"postgresql://sediment:hunter2@db/sediment\"\n" + hub, mentions: ["catalog.url", "password"])
        try check("[catalog]\nurl = \"postgresql://sediment@db/sediment?sslmode=sometimes\"\n" + hub, mentions: ["catalog.url", "sslmode"])
        try check("[catalog]\nurl = \"postgresql://sediment@db:99999/sediment\"\n" + hub, mentions: ["catalog.url", "port"])
        try check("[catalog]\nurl = \"sqlite:\"\n" + hub, mentions: ["catalog.url", "sqlite:PATH"])
        try check("[catalog]\nhost = \"db\"\n" + hub, mentions: ["catalog.host"])
        let ws = try Workspace()
        try ("[catalog]\nurl = \"postgresql://sediment:hunter2@db/sediment\"\n" + hub).write(toFile: ws.configPath, atomically: true, encoding: .utf8)
        let result = try ws.sediment(["sync"])
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertFalse(result.stderr.contains("hunter2"), "a password in the catalog URL reached the error: \(result.stderr)")
    }

    func testCatalogLocationsAreRead() throws {
        let folder = NSTemporaryDirectory() + "catalog-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let hub = "[[hub]]\nkind = \"git\"\nrepositories = [\"/srv/git/a.git\"]\n"
        let path = folder + "/sediment.toml"
        try ("[storage]\npath = \"data\"\n" + hub).write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try Configuration.load(path: path).catalogLocation, .sqlite(path: folder + "/data/catalog.sqlite"))
        try ("[catalog]\nurl = \"sqlite:elsewhere/c.sqlite\"\n" + hub).write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try Configuration.load(path: path).catalogLocation, .sqlite(path: folder + "/elsewhere/c.sqlite"))
        try ("[catalog]\nurl = \"postgresql://sediment@db.internal:5433/archive?sslmode=verify-full\"\n" + hub)
            .write(toFile: path, atomically: true, encoding: .utf8)
        guard case .postgres(let settings) = try Configuration.load(path: path).catalogLocation else {
            return XCTFail("not a PostgreSQL catalog")
        }
        XCTAssertEqual([settings.host, String(settings.port), settings.user, settings.database, settings.sslMode.rawValue],
                       ["db.internal", "5433", "sediment", "archive", "verify-full"])
    }
}
