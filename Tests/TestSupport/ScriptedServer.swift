import Foundation

/// `Tests/Support/scripted_http_server.py` on a free loopback port, for one test class (the
/// HTTP client's tests and the git fetch tests share it).
public struct ScriptedServer {
    public let process: Process
    public let port: String
    public var base: String { "http://127.0.0.1:\(port)" }

    /// Starts the server and waits (10 s at most) for the port it chose.
    public static func start() -> ScriptedServer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scripted-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let portFile = folder.appendingPathComponent("port").path
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support/scripted_http_server.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--port-file", portFile]
        try? process.run()
        var port = ""
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), !text.isEmpty {
                port = text
                break
            }
            usleep(50_000)
        }
        return ScriptedServer(process: process, port: port)
    }

    public func stop() {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }
}
