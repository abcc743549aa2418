import Foundation
import XCTest

/// Crawls end in a state (`finished`, `interrupted`, `failed`, or `running (pid N)` while they
/// run), and a repository removed from the configuration is unlisted, not visited or counted.
final class CrawlStateTests: XCTestCase {
    var ws: Workspace!
    var git: GitDaemon!

    override func setUpWithError() throws {
        ws = try Workspace()
        try ws.publishModels(["org/alpha", "org/beta"])
        git = try GitDaemon(root: ws.served, home: ws.home)
    }

    override func tearDownWithError() throws {
        git = nil
        ws = nil
    }

    func count(_ sql: String) throws -> Int { Int(try ws.catalogRows(sql).first?.first.flatMap { $0 } ?? "0") ?? 0 }

    func visits(_ id: String) throws -> Int {
        try count("SELECT COUNT(*) FROM visit v JOIN package p ON p.id = v.package_id WHERE p.package_id = '\(id)'")
    }

    func testARepositoryRemovedFromTheConfigurationIsUnlistedNotVisitedAndResumedWhenListedAgain() throws {
        let never = git.url("org/never.git")
        try ws.configure([git.url("org/alpha.git"), git.url("org/beta.git"), never])
        XCTAssertEqual(try ws.sediment(["sync"]).status, 1, "org/never cannot be fetched")

        // beta and never (which was never archived) leave the configuration.
        try ws.configure([git.url("org/alpha.git")])
        let first = try ws.sediment(["sync"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.contains("ours:org/beta: no longer listed"), first.stderr)
        XCTAssertTrue(first.stderr.contains("ours:org/never: no longer listed"), first.stderr)
        XCTAssertFalse(first.out.contains("org/beta") || first.out.contains("org/never"), "not visited, not reported as unchanged: \(first.out)")
        XCTAssertTrue(first.out.contains("synced 1 package: 0 changed, 1 unchanged, 0 failed, 2 no longer listed"), first.out)
        let again = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(again.jsonLines.compactMap { $0["package"] as? String }, ["org/alpha"], "only listed packages are visited: \(again.out)")
        XCTAssertFalse(again.stderr.contains("org/beta"), "said once, when it happens: \(again.stderr)")
        XCTAssertEqual(try visits("org/beta"), 1, "an unlisted package is not visited")
        XCTAssertEqual(try visits("org/never"), 1)

        // `packages` lists what the hubs list; --all also the rest, with its state.
        let listed = try ws.sediment(["packages", "--json"]).jsonLines
        XCTAssertEqual(listed.compactMap { $0["id"] as? String }, ["org/alpha"])
        XCTAssertEqual(listed.first?["state"] as? String, "listed")
        XCTAssertEqual(listed.first?["unlisted"] as? Bool, false)
        let all = try ws.sediment(["packages", "--all", "--json"]).jsonLines
        let byID = Dictionary(all.map { ($0["id"] as? String ?? "", $0) }) { a, _ in a }
        XCTAssertEqual(Set(byID.keys), ["org/alpha", "org/beta", "org/never"])
        XCTAssertEqual(byID["org/beta"]?["state"] as? String, "unlisted")
        XCTAssertEqual(byID["org/beta"]?["unlisted"] as? Bool, true)
        XCTAssertEqual(byID["org/beta"]?["deleted"] as? Bool, false)
        for key in ["hub", "id", "repository", "subpath", "first_seen", "last_seen", "deleted"] {
            XCTAssertNotNil(byID["org/beta"]?[key], "the JSON fields stay: \(key)")
        }
        XCTAssertTrue(try ws.sediment(["packages", "--all"]).out.contains("ours:org/beta (unlisted)"))
        let status = try ws.sediment(["status", "--json"]).jsonLines.first ?? [:]
        XCTAssertEqual((status["hubs"] as? [[String: Any]])?.first?["unlisted"] as? Int, 2)
        XCTAssertEqual((status["failing"] as? [[String: Any]])?.count, 0, "an unlisted package is not failing: \(status)")
        // Its archive stays.
        XCTAssertEqual(try ws.sediment(["show", "ours:org/beta", "README.md"]).out, "# org/beta\n")

        // Listed again: resumed.
        try ws.configure([git.url("org/alpha.git"), git.url("org/beta.git")])
        let resumed = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(Set(resumed.jsonLines.compactMap { $0["package"] as? String }), ["org/alpha", "org/beta"])
        XCTAssertEqual(try visits("org/beta"), 2)
        let state = try ws.sediment(["packages", "--json"]).jsonLines.first { $0["id"] as? String == "org/beta" }
        XCTAssertEqual(state?["state"] as? String, "listed")
    }

    func testASyncOfAnUnknownPackageLeavesNoCrawlOpen() throws {
        try ws.configure([git.url("org/alpha.git")])
        XCTAssertEqual(try ws.sediment(["sync"]).status, 0)
        let unknown = try ws.sediment(["sync", "--package", "org/nope"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("no configured hub lists org/nope"), unknown.stderr)
        let crawls = try ws.catalogRows("SELECT * FROM crawl")
        XCTAssertEqual(try count("SELECT COUNT(*) FROM crawl WHERE finished_at IS NULL OR state != 'finished'"), 0, "\(crawls)")
        let status = try ws.sediment(["status", "--json"]).jsonLines.first ?? [:]
        let hub = (status["hubs"] as? [[String: Any]])?.first ?? [:]
        XCTAssertEqual(hub["last_crawl_state"] as? String, "finished", "\(hub)")
        XCTAssertFalse(try ws.sediment(["status"]).out.contains("unfinished"))
    }

    func testCtrlCOnSyncSaysWhatWasDoneAndTheCrawlEndsInterrupted() throws {
        // A server that accepts connections and never answers holds the second visit.
        let hole = try BlackHole()
        try ws.configure([git.url("org/alpha.git"), "git://127.0.0.1:\(hole.port)/org/hole.git"], extra: "")
        var text = try String(contentsOfFile: ws.configPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "concurrency = 2", with: "concurrency = 1\nstop_timeout = \"3s\"")
        try text.write(toFile: ws.configPath, atomically: true, encoding: .utf8)

        let outPath = ws.root + "/sync.out", errPath = ws.root + "/sync.err"
        XCTAssertTrue(FileManager.default.createFile(atPath: outPath, contents: nil))
        XCTAssertTrue(FileManager.default.createFile(atPath: errPath, contents: nil))
        let sync = Process()
        sync.executableURL = URL(fileURLWithPath: Shell.sedimentBinary)
        sync.arguments = ["sync", "--config", ws.configPath]
        sync.currentDirectoryURL = URL(fileURLWithPath: ws.root)
        sync.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        sync.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        sync.standardInput = FileHandle.nullDevice
        try sync.run()
        defer { if sync.isRunning { kill(sync.processIdentifier, SIGKILL) } }
        func out() -> String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }

        // While the crawl runs, `status` says so, with its pid and the visit in progress.
        var running: [String: Any] = [:]
        let seen = try DaemonProcess.poll(timeout: 120) {
            guard out().contains("ours:org/alpha") else { return false }
            running = try ws.sediment(["status", "--json"]).jsonLines.first ?? [:]
            return ((running["visits_in_progress"] as? [[String: Any]]) ?? []).contains { $0["package"] as? String == "ours:org/hole" }
        }
        XCTAssertTrue(seen, "stdout: \(out())\nstatus: \(running)")
        let hub = (running["hubs"] as? [[String: Any]])?.first ?? [:]
        XCTAssertEqual(hub["last_crawl_state"] as? String, "running")
        XCTAssertEqual(hub["last_crawl_pid"] as? Int, Int(sync.processIdentifier))
        XCTAssertTrue(try ws.sediment(["status"]).out.contains("running (pid \(sync.processIdentifier))"))

        kill(sync.processIdentifier, SIGINT)
        XCTAssertTrue(DaemonProcess.poll(timeout: 120) { !sync.isRunning }, "Ctrl-C stops sync")
        XCTAssertEqual(sync.terminationStatus, 130)
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        XCTAssertTrue(err.contains("stopping"), err)
        XCTAssertTrue(out().contains("interrupted after syncing 1 package: 1 changed, 0 unchanged, 0 failed; 1 not visited"), out())

        let after = try ws.sediment(["status", "--json"]).jsonLines.first ?? [:]
        XCTAssertEqual((after["hubs"] as? [[String: Any]])?.first?["last_crawl_state"] as? String, "interrupted", "\(after)")
        XCTAssertEqual((after["visits_in_progress"] as? [[String: Any]])?.count, 0)
        XCTAssertTrue(try ws.sediment(["status"]).out.contains("(interrupted)"))
        // What was done stays done; the next sync ends the crawl row for good.
        XCTAssertEqual(try visits("org/alpha"), 1)
        try ws.configure([git.url("org/alpha.git")])
        XCTAssertEqual(try ws.sediment(["sync"]).status, 0)
        XCTAssertEqual(try count("SELECT COUNT(*) FROM crawl WHERE state = 'interrupted'"), 1)
        XCTAssertEqual(try count("SELECT COUNT(*) FROM crawl WHERE state = 'running'"), 0)
    }
}

/// A TCP server on 127.0.0.1 that accepts connections (the kernel's backlog does) and never
/// answers.
final class BlackHole {
    let port: UInt16
    private let fd: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw NSError(domain: "bind", code: Int(errno))
        }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit {
        close(fd)
    }
}
