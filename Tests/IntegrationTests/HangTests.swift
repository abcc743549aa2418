import Foundation
import XCTest

/// No visit can hang: servers that never accept, accept and never answer, stall in the
/// middle of the pack, or trickle it, over smart HTTP and `git://`. Each such visit ends
/// failed with an error naming the URL and the phase, the healthy repository of the same hub
/// is archived, and `verify` stays clean. Every `sync` is bounded by a generous limit: a
/// hang shows up as a failed test, not as a stuck suite.
final class HangTests: XCTestCase {
    var ws: Workspace!
    var daemon: GitDaemon!
    var http: GitHTTPServer!
    var servers: [Process] = []

    override func setUpWithError() throws {
        ws = try Workspace()
        let healthy = try ws.newRepository("healthy")
        try ws.write("README.md", "# healthy\n", in: healthy)
        try ws.commitAll("first", in: healthy)
        try ws.publish(healthy, as: "healthy")
        // Incompressible content: the pack is far longer than what a stalling proxy passes.
        let big = try ws.newRepository("big")
        for index in 0..<40 {
            try ws.write("weights/part-\(index).bin", Workspace.bytes(8192, seed: UInt64(100 + index)), in: big)
        }
        try ws.commitAll("weights", in: big)
        for name in ["stall-http", "stall-git", "slow-http", "slow-git"] {
            try ws.publish(big, as: name)
        }
        daemon = try GitDaemon(root: ws.served, home: ws.home)
        http = try GitHTTPServer(root: ws.served, home: ws.home, scratch: ws.root)
    }

    override func tearDownWithError() throws {
        for process in servers {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        servers = []
        daemon = nil
        http = nil
        ws = nil
    }

    /// Starts `Tests/Support/stalling_proxy.py` in `mode` and returns its port.
    func misbehaving(_ mode: String, upstream: UInt16? = nil) throws -> UInt16 {
        let arguments = ["--mode", mode] + (upstream.map { ["--upstream", "\($0)"] } ?? [])
        let (process, port) = try launchTestServer("stalling_proxy.py", arguments, home: ws.home,
                                                   portFile: ws.root + "/proxy-\(servers.count)-port")
        servers.append(process)
        return port
    }

    /// A `git` hub of `repositories` and the healthy one, with small limits.
    func configure(_ repositories: [String], visitTimeout: String = "10m", stallTimeout: String = "2s", daemonExtra: String = "") throws {
        let list = (repositories + [daemon.url("healthy.git")]).map { "\"\($0)\"" }.joined(separator: ", ")
        try """
            [storage]
            path = "\(ws.store)"

            [daemon]
            concurrency = 2
            visit_timeout = "\(visitTimeout)"
            \(daemonExtra)

            [http]
            max_attempts = 1
            connect_timeout = "2s"
            stall_timeout = "\(stallTimeout)"

            [[hub]]
            kind = "git"
            name = "ours"
            repositories = [\(list)]
            """.write(toFile: ws.configPath, atomically: true, encoding: .utf8)
    }

    /// `sediment sync --json`, killed (by coreutils' `timeout`) if it runs longer than `limit`
    /// seconds: then the test fails.
    func boundedSync(limit: Int = 180, file: StaticString = #filePath, line: UInt = #line) throws -> [String: [String: Any]] {
        let result = try Shell.run(Shell.which("timeout"), ["-s", "KILL", "\(limit)", Shell.sedimentBinary, "sync", "--json", "--config", ws.configPath],
                                   cwd: ws.root)
        XCTAssertNotEqual(result.status, 137, "sediment sync still running after \(limit) s: a visit hangs", file: file, line: line)
        XCTAssertEqual(result.status, 1, "the stuck visits fail the sync: \(result.out)\(result.stderr)", file: file, line: line)
        return Dictionary(result.jsonLines.compactMap { line in (line["package"] as? String).map { ($0, line) } }, uniquingKeysWith: { _, b in b })
    }

    /// The visit of `package` failed with an error naming `url` and containing `words`.
    func assertFailed(_ visits: [String: [String: Any]], _ package: String, url: String, _ words: [String],
                      file: StaticString = #filePath, line: UInt = #line) {
        let visit = visits[package]
        XCTAssertEqual(visit?["status"] as? String, "failed", "\(package): \(visits)", file: file, line: line)
        let error = visit?["error"] as? String ?? ""
        for word in [url] + words {
            XCTAssertTrue(error.contains(word), "\(package): \"\(word)\" missing from: \(error)", file: file, line: line)
        }
    }

    /// The healthy repository was archived in the same sync, and the archive verifies.
    func assertHealthyArchivedAndVerified(_ visits: [String: [String: Any]], file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(visits["healthy"]?["status"] as? String, "full", "\(visits)", file: file, line: line)
        XCTAssertEqual(try ws.sediment(["log", "ours:healthy", "--json"]).jsonLines.count, 1, file: file, line: line)
        let verify = try ws.sediment(["verify"])
        XCTAssertEqual(verify.status, 0, verify.out + verify.stderr, file: file, line: line)
    }

    func testServersThatAcceptAndNeverAnswerFailTheVisitWhileNegotiating() throws {
        let port = try misbehaving("silent")
        let overHTTP = "http://127.0.0.1:\(port)/silent-http.git", overGit = "git://127.0.0.1:\(port)/silent-git.git"
        // libgit2's TLS stream is layered on Sediment's: the handshake waits on it too.
        let overHTTPS = "https://127.0.0.1:\(port)/silent-https.git"
        try configure([overHTTP, overGit, overHTTPS])
        let visits = try boundedSync()
        assertFailed(visits, "silent-http", url: overHTTP, ["timed out (negotiate)", "no byte", "2 s"])
        assertFailed(visits, "silent-git", url: overGit, ["timed out (negotiate)", "no byte", "2 s"])
        assertFailed(visits, "silent-https", url: overHTTPS, ["timed out (negotiate)", "no byte", "2 s"])
        try assertHealthyArchivedAndVerified(visits)
    }

    func testServersThatNeverCompleteTheConnectionFailTheVisitWhileConnecting() throws {
        let port = try misbehaving("backlog")
        let overHTTP = "http://127.0.0.1:\(port)/backlog-http.git", overGit = "git://127.0.0.1:\(port)/backlog-git.git"
        let overHTTPS = "https://127.0.0.1:\(port)/backlog-https.git"
        try configure([overHTTP, overGit, overHTTPS])
        let visits = try boundedSync()
        assertFailed(visits, "backlog-http", url: overHTTP, ["timed out (connect)", "no connection", "2 s"])
        assertFailed(visits, "backlog-git", url: overGit, ["timed out (connect)", "no connection", "2 s"])
        assertFailed(visits, "backlog-https", url: overHTTPS, ["timed out (connect)", "no connection", "2 s"])
        try assertHealthyArchivedAndVerified(visits)
    }

    func testAServerThatStallsInThePackFailsTheVisitWhileReceivingIt() throws {
        let overHTTP = "http://127.0.0.1:\(try misbehaving("mid-pack", upstream: http.port))/stall-http.git"
        let overGit = "git://127.0.0.1:\(try misbehaving("mid-pack", upstream: daemon.port))/stall-git.git"
        try configure([overHTTP, overGit])
        let visits = try boundedSync()
        assertFailed(visits, "stall-http", url: overHTTP, ["timed out (receive pack)", "no byte", "2 s"])
        assertFailed(visits, "stall-git", url: overGit, ["timed out (receive pack)", "no byte", "2 s"])
        try assertHealthyArchivedAndVerified(visits)
        XCTAssertTrue(try ws.sediment(["log", "ours:stall-git", "--json"]).jsonLines.isEmpty, "nothing of a stalled fetch is recorded")
    }

    /// SIGTERM while a visit waits on a server that sends nothing (and no limit would end the
    /// wait for minutes): the daemon stops at once, the visit is interrupted (not recorded),
    /// without waiting for `stop_timeout`.
    func testSIGTERMStopsTheDaemonWhileAVisitWaitsOnASilentServer() throws {
        let url = "git://127.0.0.1:\(try misbehaving("silent"))/silent-git.git"
        try configure([url], stallTimeout: "10m", daemonExtra: "listen = \"127.0.0.1:0\"\ninterval = \"1h\"\nstop_timeout = \"10m\"")
        let running = try DaemonProcess(config: ws.configPath, cwd: ws.root, logPath: ws.root + "/daemon.log")
        // The healthy repository is archived while the other visit waits.
        XCTAssertTrue(try DaemonProcess.poll(timeout: 120) { try ws.sediment(["log", "ours:healthy", "--json"]).jsonLines.count == 1 },
                      running.log)
        Thread.sleep(forTimeInterval: 1)
        XCTAssertTrue(running.process.isRunning, running.log)
        XCTAssertEqual(running.stop(SIGTERM, timeout: DaemonTests.timeoutStopSec), 0, "stopped promptly by SIGTERM\n\(running.log)")
        XCTAssertTrue(running.log.contains("visit interrupted"), running.log)
        XCTAssertFalse(running.log.contains("daemon.stop_timeout"), running.log)
        XCTAssertTrue(try ws.sediment(["history", "ours:silent-git", "--json"]).jsonLines.isEmpty, "no visit recorded")
        XCTAssertEqual(try ws.sediment(["verify"]).status, 0)
    }

    /// A pack that trickles (a byte every 0.5 s) never stalls; `visit_timeout` ends the visit.
    func testVisitTimeoutAbandonsATransferThatNeverStalls() throws {
        let overHTTP = "http://127.0.0.1:\(try misbehaving("trickle", upstream: http.port))/slow-http.git"
        let overGit = "git://127.0.0.1:\(try misbehaving("trickle", upstream: daemon.port))/slow-git.git"
        try configure([overHTTP, overGit], visitTimeout: "5s")
        let visits = try boundedSync()
        assertFailed(visits, "slow-http", url: overHTTP, ["timed out (receive pack)", "daemon.visit_timeout (5 s)"])
        assertFailed(visits, "slow-git", url: overGit, ["timed out (receive pack)", "daemon.visit_timeout (5 s)"])
        try assertHealthyArchivedAndVerified(visits)
    }
}
