import Foundation
import XCTest

/// `git daemon` serving every repository under a folder on 127.0.0.1, stopped by its pid.
final class GitDaemon {
    let port: UInt16
    private let process: Process

    init(root: String, home: String) throws {
        var lastError: Error?
        for _ in 0..<5 {
            let port = freePort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Shell.which("git"))
            process.arguments = ["daemon", "--listen=127.0.0.1", "--port=\(port)", "--base-path=\(root)", "--export-all", "--reuseaddr",
                                 "--informative-errors", root]
            process.environment = Shell.gitEnvironment(home: home)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            do {
                try process.run()
            } catch {
                lastError = error
                continue
            }
            var listening = false
            for _ in 0..<100 {
                guard process.isRunning else { break }
                if isListening(port) { listening = true; break }
                usleep(50_000)
            }
            if listening {
                self.port = port
                self.process = process
                return
            }
            process.terminate()
        }
        throw lastError ?? NSError(domain: "git daemon did not start", code: 1)
    }

    func url(_ name: String) -> String { "git://127.0.0.1:\(port)/\(name)" }

    deinit {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }
}

/// Starts a Python test server from `Tests/Support` and waits for the port it writes to
/// `portFile` (it binds 127.0.0.1 and an OS-chosen port).
func launchTestServer(_ script: String, _ arguments: [String], home: String, portFile: String) throws -> (Process, UInt16) {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Support/" + script).path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Shell.which("python3"))
    process.arguments = [path] + arguments + ["--port-file", portFile]
    var environment = Shell.gitEnvironment(home: home)
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    process.environment = environment
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    for _ in 0..<200 {
        if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
           let port = UInt16(text.trimmingCharacters(in: .whitespacesAndNewlines)) { return (process, port) }
        usleep(50_000)
    }
    process.terminate()
    throw NSError(domain: "\(script) did not start", code: 1)
}

/// `git http-backend` behind the loopback HTTP server of `Tests/Support/git_http_server.py`.
final class GitHTTPServer {
    let port: UInt16
    let bytesLog: String
    private let process: Process

    init(root: String, home: String, scratch: String) throws {
        bytesLog = scratch + "/http-bytes.log"
        (process, port) = try launchTestServer("git_http_server.py", ["--root", root, "--port", "0", "--bytes-log", bytesLog],
                                               home: home, portFile: scratch + "/http-port")
    }

    func url(_ name: String) -> String { "http://127.0.0.1:\(port)/\(name)" }

    deinit {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }
}
