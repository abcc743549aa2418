import Foundation
import XCTest

/// The status endpoint cannot be made to take the descriptors the visits need: idle and
/// slow (slowloris) connections are closed, and connections beyond the cap are refused.
final class EndpointLimitsTests: XCTestCase {
    /// A connected TCP socket to `address` (`127.0.0.1:PORT`), reads timing out after 1 s.
    func connectTo(_ address: String) -> Int32? {
        let port = UInt16(address.split(separator: ":").last ?? "") ?? 0
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = port.bigEndian
        sa.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); return nil }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// Whether the server closed `fd` (a read returns end of file or a reset), without blocking.
    func isClosedByPeer(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_DONTWAIT))
        return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }

    func testIdleAndSlowConnectionsCannotExhaustDescriptors() throws {
        let ws = try Workspace()
        try ws.publishModels(["org/alpha", "org/beta"])
        let git = try GitDaemon(root: ws.served, home: ws.home)
        // Each package is due again every second or two: visits go on while the connections are held.
        try """
            [storage]
            path = "\(ws.store)"

            [daemon]
            listen = "127.0.0.1:0"
            interval = "1s"
            min_revisit = "1s"
            max_revisit = "2s"
            park_after = 1

            [[hub]]
            kind = "git"
            name = "ours"
            repositories = ["\(git.url("org/alpha.git"))", "\(git.url("org/beta.git"))"]
            """.write(toFile: ws.configPath, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(config: ws.configPath, cwd: ws.root, logPath: ws.root + "/daemon.log", fileLimit: 256)
        let address = try XCTUnwrap(daemon.address(), daemon.log)
        func fullVisits() -> Int {
            Int(((try? ws.catalogRows("SELECT COUNT(*) FROM visit WHERE status = 'full'"))?.first?.first ?? nil) ?? "0") ?? 0
        }
        XCTAssertTrue(DaemonProcess.poll(timeout: 120) { fullVisits() >= 2 }, daemon.log)

        // 300 idle connections: more than the daemon's 256 descriptors.
        var idle: [Int32] = []
        defer { for fd in idle { close(fd) } }
        for _ in 0..<300 {
            if let fd = connectTo(address) { idle.append(fd) }
        }
        XCTAssertGreaterThan(idle.count, 64, "the kernel accepts the connections (backlog); the daemon decides what to keep")
        let visitsBefore = fullVisits()

        // /healthz answers, and visits go on, while the attack lasts.
        XCTAssertTrue(try DaemonProcess.poll(timeout: 120) { try DaemonProcess.get(address, "/healthz").0 == 200 }, daemon.log)
        XCTAssertTrue(DaemonProcess.poll(timeout: 120) { fullVisits() >= visitsBefore + 2 }, "visits still succeed\n\(daemon.log)")

        // Every idle connection was closed by the daemon: beyond the cap at once, the others when idle.
        XCTAssertTrue(DaemonProcess.poll(timeout: 120) { idle.allSatisfy(isClosedByPeer) },
                      "\(idle.filter { !isClosedByPeer($0) }.count) idle connections still open")

        // A slowloris, sending a byte of its header every second and never finishing it, is
        // closed although it never goes quiet: its request takes too long.
        let slow = try XCTUnwrap(connectTo(address))
        defer { close(slow) }
        let header = Array("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8)
        var sent = 0
        let slowClosed = DaemonProcess.poll(timeout: 180) {
            if isClosedByPeer(slow) { return true }
            var byte = header[sent % header.count]
            if send(slow, &byte, 1, Int32(MSG_NOSIGNAL)) < 0 { return true }
            sent += 1
            Thread.sleep(forTimeInterval: 0.9)
            return false
        }
        XCTAssertTrue(slowClosed, "a request trickled a byte a second is cut off")
        XCTAssertGreaterThan(sent, 2, "it was served (the cap has room again) until its request took too long")

        XCTAssertTrue(try DaemonProcess.get(address, "/healthz").0 == 200)
        let failures = try ws.catalogRows("SELECT error FROM visit WHERE status != 'full'").compactMap { $0.first ?? nil }
        XCTAssertEqual(failures, [], "no visit failed (no 'Too many open files')")
        let parked = try ws.sediment(["status", "--json"]).jsonLines.first?["parked"] as? [Any] ?? []
        XCTAssertTrue(parked.isEmpty, "nothing parked: \(parked)")
        XCTAssertEqual(daemon.stop(SIGTERM, timeout: DaemonTests.timeoutStopSec), 0, daemon.log)
    }
}
