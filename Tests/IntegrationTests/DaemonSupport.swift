import Foundation
import XCTest

/// A running `sediment daemon` (or another long-running command, such as `serve`), its stderr
/// kept in a file; stopped by its pid.
final class DaemonProcess {
    let process: Process
    let logPath: String

    /// `fileLimit`: run it under `ulimit -n` (the shell `exec`s it: same pid).
    init(config: String, cwd: String, logPath: String, environment: [String: String] = [:], fileLimit: Int? = nil,
         command: [String] = ["daemon"]) throws {
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process = Process()
        if let fileLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(fileLimit) && exec \"$0\" \"$@\"", Shell.sedimentBinary] + command + ["--config", config]
        } else {
            process.executableURL = URL(fileURLWithPath: Shell.sedimentBinary)
            process.arguments = command + ["--config", config]
        }
        process.currentDirectoryURL = URL(fileURLWithPath: cwd)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits (polling) until `condition` holds or `timeout` seconds passed; returns whether it held.
    @discardableResult
    static func poll(timeout: TimeInterval, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return try condition()
    }

    /// The endpoint's address, from the "listening" log line (`serve`'s "on http://…" line).
    func address(timeout: TimeInterval = 60) -> String? {
        var found: String?
        DaemonProcess.poll(timeout: timeout) {
            for prefix in ["address=", "on http://"] {
                if let range = log.range(of: prefix + #"127\.0\.0\.1:\d+"#, options: .regularExpression) {
                    found = String(log[range].dropFirst(prefix.count))
                }
            }
            return found != nil || !process.isRunning
        }
        return found
    }

    /// Sends `signal` and waits for the exit; nil when it has not exited within `timeout` seconds.
    func stop(_ signal: Int32 = SIGTERM, timeout: TimeInterval) -> Int32? {
        kill(process.processIdentifier, signal)
        let exited = DaemonProcess.poll(timeout: timeout) { !process.isRunning }
        return exited ? process.terminationStatus : nil
    }

    /// GET `path` from the endpoint: status code and body.
    static func get(_ address: String, _ path: String) throws -> (Int, String) {
        let result = try Shell.run(Shell.which("curl"), ["-s", "-w", "\n%{http_code}", "http://\(address)\(path)"])
        var lines = result.out.components(separatedBy: "\n")
        let code = Int(lines.popLast() ?? "") ?? 0
        return (code, lines.joined(separator: "\n"))
    }
}

/// A datagram socket standing in for systemd's `$NOTIFY_SOCKET`: collects what the daemon sends.
final class NotifySocket: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var received: [String] = []
    private var thread: Thread?

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw NSError(domain: "socket", code: Int(errno)) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw NSError(domain: "bind", code: Int(errno)) }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let thread = Thread { [weak self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while let self, !Thread.current.isCancelled {
                let n = recv(self.fd, &buffer, buffer.count, 0)
                if n > 0 {
                    let text = String(decoding: buffer[0..<n], as: UTF8.self)
                    self.lock.lock()
                    self.received.append(text)
                    self.lock.unlock()
                }
            }
        }
        self.thread = thread
        thread.start()
    }

    deinit {
        close(fd)
        unlink(path)
    }

    func cancel() { thread?.cancel() }

    /// Every datagram so far, in arrival order.
    var messages: [String] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    /// Every `KEY=value` line so far, in arrival order.
    var lines: [String] { messages.flatMap { $0.split(separator: "\n").map(String.init) } }
}
