import Foundation

/// A Python server of `Tests/Support/` that listens on a loopback port it chooses and writes to
/// its `--port-file`: started, waited for (10 s at most), and stopped by its pid in `stop()` or
/// when released.
public final class LoopbackScript {
    public let port: String
    private let process: Process
    private var stopped = false

    /// Runs `Tests/Support/<script>` with `arguments` and `--port-file` (in `scratch`, a new
    /// temporary folder when nil); throws when no port is written in time.
    public init(_ script: String, arguments: [String] = [], scratch: String? = nil) throws {
        let folder = scratch ?? FileManager.default.temporaryDirectory.appendingPathComponent("loopback-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let portFile = folder + "/" + script + "-port"
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support/" + script).path
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", path] + arguments + ["--port-file", portFile]
        try process.run()
        var port = ""
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), !text.isEmpty {
                port = text.trimmingCharacters(in: .whitespacesAndNewlines)
                break
            }
            usleep(50_000)
        }
        self.port = port
        guard !port.isEmpty else {
            stop()
            throw NSError(domain: "\(script) did not start", code: 1)
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
