import Foundation

/// `Tests/Support/scripted_http_server.py` on a free loopback port, stopped by `stop()` or
/// when released. The HTTP client's, the git fetch's and the integration tests share it.
public final class ScriptedServer {
    public let port: String
    private let process: Process
    private var stopped = false
    public var base: String { "http://127.0.0.1:\(port)" }

    /// Starts the server and waits (10 s at most) for the port it chose; its port file goes
    /// in `scratch` (a new temporary folder when nil).
    public init(scratch: String? = nil) throws {
        let folder = scratch ?? FileManager.default.temporaryDirectory.appendingPathComponent("scripted-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let portFile = folder + "/scripted-port"
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support/scripted_http_server.py").path
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--port-file", portFile]
        try process.run()
        var port = ""
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), !text.isEmpty {
                port = text
                break
            }
            usleep(50_000)
        }
        self.port = port
        guard !port.isEmpty else {
            stop()
            throw NSError(domain: "scripted_http_server.py did not start", code: 1)
        }
    }

    public func stop() {
        guard !stopped else { return }
        stopped = true
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    deinit { stop() }
}
