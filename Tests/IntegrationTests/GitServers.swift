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

/// `git http-backend` behind the loopback HTTP server of `Tests/Support/git_http_server.py`.
final class GitHTTPServer {
    let port: UInt16
    let bytesLog: String
    private let process: Process

    init(root: String, home: String, scratch: String) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support/git_http_server.py").path
        let portFile = scratch + "/http-port"
        bytesLog = scratch + "/http-bytes.log"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Shell.which("python3"))
        process.arguments = [script, "--root", root, "--port", "0", "--port-file", portFile, "--bytes-log", bytesLog]
        process.environment = Shell.gitEnvironment(home: home)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var port: UInt16?
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
               let value = UInt16(text.trimmingCharacters(in: .whitespacesAndNewlines)) { port = value; break }
            usleep(50_000)
        }
        guard let port else {
            process.terminate()
            throw NSError(domain: "git http server did not start", code: 1)
        }
        self.port = port
        self.process = process
    }

    func url(_ name: String) -> String { "http://127.0.0.1:\(port)/\(name)" }

    deinit {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }
}
