import Foundation
import SedimentS3
import TestSupport
import XCTest

/// Several workers, one archive: three `sediment sync` workers share a PostgreSQL catalog and
/// a bucket (moto's S3 server) and crawl the fixture hub's 300 models together; one is
/// SIGKILLed in the middle. The archive they leave equals the one a single worker makes of
/// the same hub, no model is fetched by two workers at once, and the host never sees more
/// git requests at once than `per_host_concurrency` allows one worker.
final class FleetTests: XCTestCase {
    private var ws: Workspace!
    private var hub: FixtureHub!
    private var postgres: PostgresServer!
    private var moto: MotoServer!
    private let count = 300
    private let bucket = "fleet"
    private let awsEnvironment = ["AWS_ACCESS_KEY_ID": "AKIATESTSEDIMENT", "AWS_SECRET_ACCESS_KEY": "never-shown-s3cr3t",
                                  "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_ENDPOINT_URL": ""]

    override func setUpWithError() throws {
        ws = try Workspace()
        let root = ws.root + "/hub"
        try makeModels(in: root)
        hub = try FixtureHub(root: root, home: ws.home, scratch: ws.root)
        postgres = try PostgresServer()
        moto = try MotoServer()
        let client = S3Client(settings: S3Settings(location: try S3Location(bucket: bucket, prefix: "archive"), endpoint: moto.endpoint,
                                                   region: "us-east-1",
                                                   credentials: S3Credentials(accessKeyID: "AKIATESTSEDIMENT", secretAccessKey: "never-shown-s3cr3t")))
        try client.createBucket()
    }

    override func tearDownWithError() throws {
        hub = nil
        postgres?.stop()
        moto?.stop()
        ws = nil
    }

    /// One bare repository per model, each with one commit of its own, and the hub's
    /// `models.json` (Tests/Support/fleet_models.py).
    private func makeModels(in root: String) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support/fleet_models.py").path
        let result = try Shell.run(Shell.which("python3"), [script, root, String(count)])
        XCTAssertEqual(result.status, 0, result.stderr)
    }

    private var environment: [String: String] {
        awsEnvironment.merging(["PGPASSWORD": postgres.password, "PGPASSFILE": "/nonexistent", "SEDIMENT_WORKER_TTL": "4"]) { _, b in b }
    }

    private func configuration(storage: String, shared: String?) -> String {
        var text = """
            [storage]
            path = "\(storage)"

            """
        if shared != nil {
            text += """
                store = "s3://\(bucket)/archive"
                endpoint = "\(moto.endpoint)"
                region = "us-east-1"

                """
        }
        text += """

            [daemon]
            concurrency = 2
            per_host_concurrency = 2
            listen = "127.0.0.1:0"
            interval = "1h"

            \(ConfigText.quickRetries)

            \(ConfigText.huggingFaceHub(hub.endpoint))
            page_size = 100

            """
        if let shared { text += "[catalog]\nurl = \"\(shared)\"\n" }
        return text
    }

    /// `sediment sync --json` started in the background, its output kept in files.
    private final class Worker {
        let process = Process()
        let out: String
        let err: String

        init(config: String, folder: String, environment: [String: String]) throws {
            out = folder + ".out"
            err = folder + ".err"
            _ = FileManager.default.createFile(atPath: out, contents: nil)
            _ = FileManager.default.createFile(atPath: err, contents: nil)
            process.executableURL = URL(fileURLWithPath: Shell.sedimentBinary)
            process.arguments = ["sync", "--json", "--config", config]
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }

        var stderr: String { (try? String(contentsOfFile: err, encoding: .utf8)) ?? "" }
        var lines: [[String: Any]] {
            ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }

        func wait(timeout: TimeInterval) -> Int32? {
            guard DaemonProcess.poll(timeout: timeout, { !process.isRunning }) else { return nil }
            return process.terminationStatus
        }
    }

    /// What must be equal between two archives of the hub, each row as text.
    private static let contents: [(name: String, sql: String)] = [
        ("packages", "SELECT hub || ':' || package_id, deleted, unlisted FROM package ORDER BY 1"),
        ("commits", "SELECT id, tree FROM git_commit ORDER BY id"),
        ("snapshots", "SELECT p.package_id, s.head, s.refs FROM snapshot s JOIN package p ON p.id = s.package_id ORDER BY 1, 2"),
        ("observations", """
            SELECT p.package_id, o.downloads, o.likes, o.commits_total, o.files, o.bytes, o.card_license
            FROM observation o JOIN package p ON p.id = o.package_id ORDER BY 1
            """),
        ("visits", "SELECT p.package_id, COUNT(*) FROM visit v JOIN package p ON p.id = v.package_id GROUP BY p.package_id ORDER BY 1"),
    ]

    func testThreeWorkersOneKilledLeaveTheArchiveOneWorkerMakes() throws {
        // The reference: one worker, the embedded default (SQLite, a local store).
        try configuration(storage: ws.store, shared: nil).write(toFile: ws.configPath, atomically: true, encoding: .utf8)
        let single = try ws.sediment(["sync"])
        XCTAssertEqual(single.status, 0, single.stderr)

        let database = "fleet"
        let url = try postgres.createDatabase(database)
        try hub.resetStats()
        var workers: [Worker] = []
        for n in 1...3 {
            let config = ws.root + "/worker\(n).toml"
            try configuration(storage: ws.root + "/worker\(n)", shared: url).write(toFile: config, atomically: true, encoding: .utf8)
            workers.append(try Worker(config: config, folder: ws.root + "/worker\(n)", environment: environment))
        }
        func visits() -> Int { Int((try? postgres.psql("SELECT COUNT(*) FROM visit", database: database))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0 }
        XCTAssertTrue(DaemonProcess.poll(timeout: 300) { visits() >= 60 || !workers[1].process.isRunning },
                      "the workers made no visits: \(workers.map(\.stderr))")
        XCTAssertTrue(workers[1].process.isRunning, "the second worker ended before it could be killed: \(workers[1].stderr)")
        kill(workers[1].process.processIdentifier, SIGKILL)
        XCTAssertNotNil(workers[1].wait(timeout: 30))
        for n in [0, 2] {
            XCTAssertEqual(workers[n].wait(timeout: 900), 0, workers[n].stderr)
        }
        let byWorker = [0, 2].map { n in Set(workers[n].lines.compactMap { $0["package"] as? String }) }
        XCTAssertGreaterThan(byWorker[0].count, 0, "each surviving worker visited some models")
        XCTAssertGreaterThan(byWorker[1].count, 0, "each surviving worker visited some models")
        XCTAssertTrue(byWorker[0].isDisjoint(with: byWorker[1]), "a model visited by both: \(byWorker[0].intersection(byWorker[1]).sorted())")

        // The hub saw one listing, each model fetched by one worker at a time, and never more
        // git requests at once than the fleet's per-host limit.
        let stats = try JSONSerialization.jsonObject(with: hub.call("GET", "/_fixture/stats")) as? [String: Any] ?? [:]
        let perModel = stats["git_in_flight_max"] as? [String: Int] ?? [:]
        XCTAssertEqual(perModel.count, count, "every model was fetched")
        XCTAssertEqual(perModel.filter { $0.value > 1 }.keys.sorted(), [], "models fetched by two workers at once")
        let total = stats["git_in_flight_max_total"] as? Int ?? 0
        XCTAssertGreaterThan(total, 0)
        XCTAssertLessThanOrEqual(total, 2, "more git requests at once than per_host_concurrency")
        let api = stats["api_requests"] as? [String: Int] ?? [:]
        XCTAssertEqual(api["/api/models"], 3, "one worker listed the hub (3 pages of 100); the others visited from its listing")

        // The archive equals the single worker's.
        for table in Self.contents {
            let reference = try ws.catalogRows(table.sql).map { $0.map { $0 ?? "" }.joined(separator: "|") }
            let fleet = try postgres.psql(table.sql, database: database).split(separator: "\n").map(String.init)
            XCTAssertEqual(fleet.count, reference.count, table.name)
            XCTAssertEqual(fleet, reference, table.name)
        }

        // Status lists the three workers: the killed one lost, the others stopped.
        let status = try ws.sediment(["status", "--json"], config: ws.root + "/worker1.toml", environment: environment)
        XCTAssertEqual(status.status, 0, status.stderr)
        let states = ((status.jsonLines.first?["workers"] as? [[String: Any]]) ?? []).map { "\($0["pid"] as? Int ?? 0) \($0["state"] as? String ?? "?")" }
        XCTAssertTrue(states.contains("\(workers[1].process.processIdentifier) lost"), "\(states)")
        XCTAssertTrue(states.contains("\(workers[0].process.processIdentifier) stopped"), "\(states)")
        let verify = try ws.sediment(["verify"], config: ws.root + "/worker3.toml", environment: environment)
        XCTAssertEqual(verify.status, 0, verify.out + verify.stderr)
        XCTAssertFalse((status.out + status.stderr + verify.out + verify.stderr).contains(postgres.password))

        // A model moves on upstream; a new worker, with no mirror at all, visits it: the
        // mirror comes from the store's git packs, and only the new commit from the hub.
        let model = "fleet/m007"
        let commit = try Shell.run(Shell.which("python3"), ["-c", """
            import subprocess, sys
            text = "# model 7, second version\\n"
            stream = "commit refs/heads/main\\ncommitter Fixture <fixture@example.com> 1800000000 +0000\\ndata 7\\nupdate\\n"
            stream += "from refs/heads/main^0\\nM 644 inline README.md\\ndata %d\\n%s\\n" % (len(text), text)
            subprocess.run(["git", "--git-dir", sys.argv[1], "fast-import", "--quiet"], input=stream.encode(), check=True)
            """, ws.root + "/hub/" + model + ".git"])
        XCTAssertEqual(commit.status, 0, commit.stderr)
        let config = ws.root + "/worker4.toml"
        try configuration(storage: ws.root + "/worker4", shared: url).write(toFile: config, atomically: true, encoding: .utf8)
        // As a minute later: the fleet's listing is too old to stand for a new one.
        try postgres.psql("UPDATE hub_listing SET listed_at = '2000-01-01T00:00:00.000Z'", database: database)
        let fourth = try ws.sediment(["sync", "--json", "--package", "hf:" + model], config: config, environment: environment)
        XCTAssertEqual(fourth.status, 0, fourth.stderr)
        let visit = fourth.jsonLines.first { $0["package"] as? String == model } ?? [:]
        XCTAssertEqual(visit["new_commits"] as? Int, 1, fourth.out)
        XCTAssertEqual(visit["objects_received"] as? Int, 3, "the new commit, its tree and its card, not the whole repository: \(fourth.out)")
        let fsck = try Shell.run(Shell.which("git"), ["--git-dir", try mirror(of: model, in: ws.root + "/worker4"), "fsck", "--no-dangling"])
        XCTAssertEqual(fsck.status, 0, fsck.out + fsck.stderr)
    }

    /// The mirror folder of `model` under a worker's storage folder.
    private func mirror(of model: String, in storage: String) throws -> String {
        let base = storage + "/mirrors"
        let found = FileManager.default.enumerator(atPath: base)?.compactMap { $0 as? String }
            .first { $0.hasSuffix(".git") && $0.contains(model + "-") }
        return base + "/" + (found ?? "missing-mirror-of-" + model)
    }

    /// Two daemons on one catalog and one bucket: one lists the hub, the other visits from its
    /// listing; every model is visited once between them, and `status` shows both workers
    /// with their leases, then both stopped.
    func testTwoDaemonsShareTheListingAndTheVisits() throws {
        let database = "daemons"
        let url = try postgres.createDatabase(database)
        var daemons: [DaemonProcess] = []
        for n in 1...2 {
            let config = ws.root + "/daemon\(n).toml"
            try configuration(storage: ws.root + "/daemon\(n)", shared: url).write(toFile: config, atomically: true, encoding: .utf8)
            daemons.append(try DaemonProcess(config: config, cwd: ws.root, logPath: ws.root + "/daemon\(n).log", environment: environment))
        }
        func rows(_ sql: String) -> Int {
            Int((try? postgres.psql(sql, database: database))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
        }
        XCTAssertTrue(DaemonProcess.poll(timeout: 600) { rows("SELECT COUNT(DISTINCT package_id) FROM visit") == count },
                      "the daemons did not visit every model: \(daemons.map(\.log))")
        let status = try ws.sediment(["status", "--json"], config: ws.root + "/daemon1.toml", environment: environment)
        XCTAssertEqual(status.status, 0, status.stderr)
        let workers = (status.jsonLines.first?["workers"] as? [[String: Any]]) ?? []
        XCTAssertEqual(Set(workers.compactMap { $0["pid"] as? Int }), Set(daemons.map { Int($0.process.processIdentifier) }), status.out)
        XCTAssertEqual(workers.compactMap { $0["state"] as? String }, ["running", "running"], status.out)
        for daemon in daemons { XCTAssertEqual(daemon.stop(timeout: 60), 0, daemon.log) }

        XCTAssertEqual(rows("SELECT COUNT(*) FROM visit"), count, "a model visited twice")
        XCTAssertEqual(rows("SELECT COUNT(DISTINCT c.worker_id) FROM visit v JOIN crawl c ON c.id = v.crawl_id"), 2, "both daemons visited")
        let stats = try JSONSerialization.jsonObject(with: hub.call("GET", "/_fixture/stats")) as? [String: Any] ?? [:]
        XCTAssertEqual((stats["api_requests"] as? [String: Int] ?? [:])["/api/models"], 3, "one daemon listed the hub")
        XCTAssertEqual((stats["git_in_flight_max"] as? [String: Int] ?? [:]).filter { $0.value > 1 }.keys.sorted(), [])
        XCTAssertLessThanOrEqual(stats["git_in_flight_max_total"] as? Int ?? 99, 2)
        let after = try ws.sediment(["status", "--json"], config: ws.root + "/daemon2.toml", environment: environment)
        let states = ((after.jsonLines.first?["workers"] as? [[String: Any]]) ?? []).compactMap { $0["state"] as? String }
        XCTAssertEqual(states, ["stopped", "stopped"], after.out)
        XCTAssertEqual(rows("SELECT COUNT(*) FROM lease"), 0, "stopped daemons hold no lease")
    }
}
