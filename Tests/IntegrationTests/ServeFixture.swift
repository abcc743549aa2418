import Foundation
import XCTest

/// The fixture world crawled twice (LFS objects of `*.safetensors` fetched, the others kept as
/// pointers), and `sediment serve` running on it: what the serve tests ask.
final class ServeFixture {
    let workspace: Workspace
    /// Released first, in `deinit`: its servers are stopped while its folder is still there.
    private var held: FixtureWorld?
    var world: FixtureWorld { held! }
    let server: DaemonProcess
    let address: String

    var origin: String { "http://" + address }

    init() throws {
        workspace = try Workspace()
        let world = try FixtureWorld(folder: workspace.root + "/world", home: workspace.home)
        held = world
        var config = try String(contentsOfFile: world.configPath, encoding: .utf8)
        config = config.replacingOccurrences(of: "[storage]\n", with: "[storage]\nlfs = \"fetch\"\nlfs_include = [\"*.safetensors\"]\n")
        try config.write(toFile: world.configPath, atomically: true, encoding: .utf8)
        for epoch in 1...2 {
            if epoch > 1 { try world.advance() }
            let sync = try workspace.sediment(["sync"], config: world.configPath)
            guard sync.status == 0 else { throw NSError(domain: "sync of epoch \(epoch) failed: \(sync.stderr)", code: 1) }
        }
        server = try DaemonProcess(config: world.configPath, cwd: workspace.root, logPath: workspace.root + "/serve.log",
                                   command: ["serve", "--listen", "127.0.0.1:0"])
        guard let address = server.address() else {
            throw NSError(domain: "sediment serve did not start: \(server.log)", code: 1)
        }
        self.address = address
    }

    deinit {
        if server.process.isRunning { _ = server.stop(SIGKILL, timeout: 10) }
        held = nil
    }

    /// Stops the server (SIGTERM, as systemd would) and returns its exit status.
    func stop() -> Int32? { server.stop(timeout: 30) }

    /// The project's folder (for `.build/`).
    static var projectRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// The Python with `huggingface_hub` that `make deps` installs.
    static var clientPython: String { projectRoot + "/.build/hf-venv/bin/python" }

    /// Runs the real `huggingface_hub` client on `cases` (see `Tests/Support/hf_client_check.py`).
    func client(_ cases: [String: [String: Any]]) throws -> [String: [String: Any]] {
        guard FileManager.default.isExecutableFile(atPath: Self.clientPython) else {
            throw NSError(domain: "\(Self.clientPython) is missing: `make deps` installs huggingface_hub there", code: 1)
        }
        let file = workspace.root + "/cases.json"
        try JSONSerialization.data(withJSONObject: cases).write(to: URL(fileURLWithPath: file))
        var environment = ProcessInfo.processInfo.environment
        for name in ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HUGGINGFACE_CO_STAGING", "HF_OIDC_RESOURCE"] {
            environment[name] = nil
        }
        environment["HF_ENDPOINT"] = origin
        environment["HF_HOME"] = workspace.root + "/hf-home-\(UUID().uuidString)"
        environment["HF_HUB_DISABLE_TELEMETRY"] = "1"
        environment["HF_HUB_DISABLE_XET"] = "1"
        environment["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
        environment["NO_PROXY"] = "127.0.0.1,localhost"
        let script = Self.projectRoot + "/Tests/Support/hf_client_check.py"
        let result = try Shell.run(Self.clientPython, [script, file], cwd: workspace.root, env: environment)
        guard result.status == 0, let object = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: [String: Any]] else {
            throw NSError(domain: "hf_client_check.py failed (\(result.status)): \(result.stderr)", code: 1)
        }
        return object
    }

    /// Where screenshots of the web view are kept after the tests.
    static var artefacts: String { projectRoot + "/.build/test-artefacts/serve" }

    /// Loads `path` in headless Chromium: the DOM it built, and a screenshot saved as `name`.png.
    func browse(_ path: String, screenshot name: String? = nil) throws -> String {
        let chromium = Shell.which("chromium")
        let profile = workspace.root + "/chromium-profile"
        let common = ["90", chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=" + profile,
                      "--no-first-run", "--disable-extensions", "--disable-dev-shm-usage", "--window-size=1100,1600"]
        let dump = try Shell.run(Shell.which("timeout"), common + ["--dump-dom", origin + path])
        guard dump.status == 0, dump.out.contains("</html>") else {
            throw NSError(domain: "chromium --dump-dom \(path) failed (\(dump.status)): \(dump.stderr.suffix(2000))", code: 1)
        }
        if let name {
            try FileManager.default.createDirectory(atPath: Self.artefacts, withIntermediateDirectories: true)
            let png = Self.artefacts + "/\(name).png"
            try? FileManager.default.removeItem(atPath: png)
            let shot = try Shell.run(Shell.which("timeout"), common + ["--screenshot=" + png, origin + path])
            guard shot.status == 0 else { throw NSError(domain: "chromium --screenshot \(path) failed: \(shot.stderr.suffix(2000))", code: 1) }
        }
        return dump.out
    }
}

/// Reading the DOM Chromium dumped.
enum DOM {
    /// The text of the element that opens with `<TAG … id="ID"`, up to its closing tag.
    static func element(_ tag: String, id: String, in html: String) -> String? {
        guard let open = html.range(of: "<\(tag)[^>]*id=\"\(NSRegularExpression.escapedPattern(for: id))\"", options: .regularExpression),
              let close = html.range(of: "</\(tag)>", range: open.upperBound..<html.endIndex) else { return nil }
        return String(html[open.lowerBound..<close.upperBound])
    }

    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    /// The `data-y` values of the points of series `series` in an SVG plot.
    static func values(series: String, in svg: String) -> [String] {
        guard let start = svg.range(of: "data-series=\"\(series)\""),
              let end = svg.range(of: "</g>", range: start.upperBound..<svg.endIndex) else { return [] }
        let group = String(svg[start.upperBound..<end.lowerBound])
        let regex = try! NSRegularExpression(pattern: "data-y=\"([^\"]*)\"")
        return regex.matches(in: group, range: NSRange(group.startIndex..., in: group)).compactMap {
            Range($0.range(at: 1), in: group).map { String(group[$0]) }
        }
    }

    /// The rows of a table's body.
    static func rows(_ table: String) -> [String] {
        guard let body = table.range(of: "<tbody>") else { return [] }
        let rows: [String] = String(table[body.upperBound...]).components(separatedBy: "<tr>")
        return Array(rows.dropFirst())
    }
}
