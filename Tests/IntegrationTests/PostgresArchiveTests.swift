import Foundation
import TestSupport
import XCTest

/// An archive whose catalog is in PostgreSQL answers every command as the same archive on
/// SQLite does, and goes on archiving there. The server is started by the test.
final class PostgresArchiveTests: XCTestCase {
    private var server: PostgresServer!

    override func setUpWithError() throws {
        try super.setUpWithError()
        server = try PostgresServer()
    }

    override func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    private var environment: [String: String] { ["PGPASSWORD": server.password, "PGPASSFILE": "/nonexistent"] }

    /// `config` with its storage folder replaced by `folder` and `[catalog] url = url`.
    private func configuration(_ world: FixtureWorld, storage folder: String, catalog url: String) throws -> String {
        let text = try String(contentsOfFile: world.configPath, encoding: .utf8)
        XCTAssertTrue(text.contains("\"\(world.store)\""))
        let path = world.folder + "/postgres.toml"
        try (text.replacingOccurrences(of: "\"\(world.store)\"", with: "\"\(folder)\"") + "\n[catalog]\nurl = \"\(url)\"\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testACatalogCopiedToPostgreSQLAnswersAsOnSQLiteAndGoesOnArchiving() throws {
        let ws = try Workspace()
        let world = try FixtureWorld(folder: ws.root + "/world", home: ws.home)
        let first = try ws.sediment(["sync"], config: world.configPath)
        XCTAssertEqual(first.status, 0, first.stderr)

        // The catalog moves to PostgreSQL; the storage folder is copied so that both archives go on.
        let url = try server.createDatabase("archive")
        let copy = try ws.sediment(["catalog", "copy", "--from", "sqlite:" + world.store + "/catalog.sqlite", "--to", url],
                                   environment: environment)
        XCTAssertEqual(copy.status, 0, copy.stderr)
        XCTAssertTrue(copy.out.hasPrefix("copied "), copy.out)
        XCTAssertFalse((copy.out + copy.stderr).contains(server.password))
        let again = try ws.sediment(["catalog", "copy", "--from", "sqlite:" + world.store + "/catalog.sqlite", "--to", url],
                                    environment: environment)
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("is not empty"), again.stderr)
        // And back, as JSON: every row comes back, and the password is nowhere.
        let back = try ws.sediment(["catalog", "copy", "--from", url, "--to", "sqlite:" + ws.root + "/back.sqlite", "--json"],
                                   environment: environment)
        XCTAssertEqual(back.status, 0, back.stderr)
        let copiedRows = copy.out.split(separator: " ").dropFirst().first.flatMap { Int($0) }
        XCTAssertEqual(back.jsonLines.first?["rows"] as? Int, copiedRows, back.out)
        XCTAssertFalse((back.out + back.stderr).contains(server.password))
        try JSONSchemaTests.validate(back.out.split(separator: "\n").map(String.init), against: "catalog-copy", in: ws.root)
        let storage = ws.root + "/postgres-archive"
        let cp = try Shell.run("/bin/cp", ["-a", world.store, storage])
        XCTAssertEqual(cp.status, 0, cp.stderr)
        try FileManager.default.removeItem(atPath: storage + "/catalog.sqlite")
        let config = try configuration(world, storage: storage, catalog: url)

        let onSQLite = try ArchiveAnswers.answers(ws, config: world.configPath)
        let onPostgres = try ArchiveAnswers.answers(ws, config: config, environment: environment)
        XCTAssertEqual(Set(onPostgres.keys), Set(onSQLite.keys))
        for (command, output) in onSQLite.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(onPostgres[command], output, command)
        }
        for (format, folder) in [("jsonl", "export-jsonl"), ("ptmtorrent", "export-ptm")] {
            let a = try ws.sediment(["export", "--format", format, "--out", ws.root + "/sqlite-" + folder], config: world.configPath)
            let b = try ws.sediment(["export", "--format", format, "--out", ws.root + "/pg-" + folder], config: config, environment: environment)
            XCTAssertEqual(a.status, 0, a.stderr)
            XCTAssertEqual(b.status, 0, b.stderr)
            let diff = try Shell.run("/usr/bin/diff", ["-r", ws.root + "/sqlite-" + folder, ws.root + "/pg-" + folder])
            XCTAssertEqual(diff.status, 0, "export \(format) differs: \(diff.out)")
        }

        // Upstream moves on (a force-push, a package deleted); both archives sync it.
        try world.advance()
        let sqliteSync = try ws.sediment(["sync", "--json"], config: world.configPath)
        XCTAssertEqual(sqliteSync.status, 0, sqliteSync.stderr)
        let postgresSync = try ws.sediment(["sync", "--json"], config: config, environment: environment)
        XCTAssertEqual(postgresSync.status, 0, postgresSync.stderr)
        XCTAssertEqual(postgresSync.jsonLines.filter { $0["deleted_upstream"] as? Bool == true }.compactMap { $0["package"] as? String },
                       ["acme/vit-small"])
        func newCommits(_ result: ProcessResult) -> [String: Int] {
            Dictionary(result.jsonLines.compactMap { line in (line["package"] as? String).map { ($0, line["new_commits"] as? Int ?? 0) } },
                       uniquingKeysWith: { $0 + $1 })
        }
        XCTAssertEqual(newCommits(postgresSync), newCommits(sqliteSync))
        XCTAssertGreaterThan(newCommits(postgresSync).values.reduce(0, +), 0)

        // The histories the second visits recorded are the same (other answers carry the
        // instants of each archive's own visits).
        let laterSQLite = try ArchiveAnswers.answers(ws, config: world.configPath)
        let laterPostgres = try ArchiveAnswers.answers(ws, config: config, environment: environment)
        XCTAssertEqual(Set(laterPostgres.keys.filter { $0.hasPrefix("log ") }), Set(laterSQLite.keys.filter { $0.hasPrefix("log ") }))
        for (command, output) in laterSQLite.sorted(by: { $0.key < $1.key }) where command.hasPrefix("log ") {
            XCTAssertEqual(laterPostgres[command], output, command)
        }
        XCTAssertTrue(laterPostgres["refs ours:org/model-a --lost --json"]?.contains("\"reason\":\"forced\"") == true)
        XCTAssertTrue(laterPostgres["packages --all"]?.contains("acme/vit-small (deleted)") == true)
        for arguments in [["verify"], ["status"], ["status", "--json"]] {
            let result = try ws.sediment(arguments, config: config, environment: environment)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.out) \(result.stderr)")
            XCTAssertFalse((result.out + result.stderr).contains(server.password))
        }
    }

    /// A wrong password is an error naming the catalog, without the password, and no archive
    /// is written.
    func testAWrongPasswordIsAClearErrorWithoutTheSecret() throws {
        let ws = try Workspace()
        let world = try FixtureWorld(folder: ws.root + "/world", home: ws.home)
        let url = try server.createDatabase("wrong")
        let config = try configuration(world, storage: world.store, catalog: url)
        let result = try ws.sediment(["sync"], config: config, environment: ["PGPASSWORD": "not-the-password-42", "PGPASSFILE": "/nonexistent"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("127.0.0.1:\(server.port)"), result.stderr)
        XCTAssertTrue(result.stderr.contains("wrong"), result.stderr)
        XCTAssertFalse(result.stderr.contains("not-the-password-42"), result.stderr)
    }
}

extension PostgresArchiveTests {
    /// One worker writes to a shared catalog at a time (its lease renewed by its heartbeat);
    /// `status` lists it; once it is killed, a worker of the same host takes over at once.
    func testOneWriterPerCatalogAndAKilledOneIsReplaced() throws {
        let ws = try Workspace()
        let world = try FixtureWorld(folder: ws.root + "/world", home: ws.home)
        let url = try server.createDatabase("workers")
        let text = try String(contentsOfFile: world.configPath, encoding: .utf8)
            .replacingOccurrences(of: "[daemon]\n", with: "[daemon]\nlisten = \"127.0.0.1:0\"\ninterval = \"1h\"\n")
        func config(_ name: String) throws -> String {
            let path = world.folder + "/\(name).toml"
            try (text.replacingOccurrences(of: "\"\(world.store)\"", with: "\"\(ws.root)/\(name)\"") + "\n[catalog]\nurl = \"\(url)\"\n")
                .write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let first = try config("first"), second = try config("second")
        let daemon = try DaemonProcess(config: first, cwd: ws.root, logPath: ws.root + "/daemon.log", environment: environment)
        XCTAssertNotNil(daemon.address(), daemon.log)
        let status = try ws.sediment(["status", "--json"], config: second, environment: environment)
        XCTAssertEqual(status.status, 0, status.stderr)
        let workers = (status.jsonLines.first?["workers"] as? [[String: Any]]) ?? []
        XCTAssertEqual(workers.map { $0["pid"] as? Int }, [Int(daemon.process.processIdentifier)], status.out)
        XCTAssertEqual(workers.first?["state"] as? String, "running")
        XCTAssertEqual(workers.first?["leases"] as? [String], ["catalog-writer"])

        let refused = try ws.sediment(["sync"], config: second, environment: environment)
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("pid \(daemon.process.processIdentifier)"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("in use by another sediment process"), refused.stderr)

        XCTAssertEqual(daemon.stop(SIGKILL, timeout: 30), SIGKILL)
        let later = try ws.sediment(["sync"], config: second, environment: environment)
        XCTAssertEqual(later.status, 0, later.stderr)
        XCTAssertFalse(later.stderr.contains("could not record"), later.stderr)
        let after = try ws.sediment(["status", "--json"], config: second, environment: environment)
        let states = ((after.jsonLines.first?["workers"] as? [[String: Any]]) ?? []).map { "\($0["pid"] as? Int ?? 0) \($0["state"] as? String ?? "?")" }
        XCTAssertTrue(states.contains("\(daemon.process.processIdentifier) lost"), "\(states)")
        XCTAssertEqual(states.filter { $0.hasSuffix(" stopped") }.count, 2, "the refused sync and the later one stopped on purpose: \(states)")
    }
}

extension PostgresArchiveTests {
    /// A worker whose writer lease went to another worker (it expired while the worker could
    /// not reach the catalog) stops at once, with exit status 75, rather than write beside it.
    func testAWorkerThatLostItsLeaseStops() throws {
        let ws = try Workspace()
        let world = try FixtureWorld(folder: ws.root + "/world", home: ws.home)
        let database = "lost"
        let url = try server.createDatabase(database)
        let text = try String(contentsOfFile: world.configPath, encoding: .utf8)
            .replacingOccurrences(of: "[daemon]\n", with: "[daemon]\nlisten = \"127.0.0.1:0\"\ninterval = \"1h\"\n")
        let config = world.folder + "/lost.toml"
        try (text + "\n[catalog]\nurl = \"\(url)\"\n").write(toFile: config, atomically: true, encoding: .utf8)
        var environment = self.environment
        environment["SEDIMENT_WORKER_TTL"] = "4"
        let daemon = try DaemonProcess(config: config, cwd: ws.root, logPath: ws.root + "/lost.log", environment: environment)
        XCTAssertNotNil(daemon.address(), daemon.log)
        try server.psql("""
            INSERT INTO worker (id, host, pid, storage, started_at, heartbeat_at) VALUES ('elsewhere:1:1', 'elsewhere', 1, '/s', 'x', 'x');
            UPDATE lease SET worker_id = 'elsewhere:1:1' WHERE resource = 'catalog-writer';
            """, database: database)
        XCTAssertTrue(DaemonProcess.poll(timeout: 30) { !daemon.process.isRunning }, "the worker went on: \(daemon.log)")
        XCTAssertEqual(daemon.process.terminationStatus, 75, daemon.log)
        XCTAssertTrue(daemon.log.contains("lost the lease on catalog-writer (another worker holds it now)"), daemon.log)
    }
}
