import Foundation
import SedimentEngine
import SedimentMetadata
import TestSupport
import XCTest

/// Servers and index repositories Sediment does not control cannot exhaust its memory or
/// stall it: a JSON bomb fails its hub's listing, naming the hub and the cap, under a memory
/// limit, and the other hubs are archived; a server asking for a ten-year pause holds its
/// host for `http.max_pause` only, and Ctrl-C ends the wait.
final class HostileServerTests: XCTestCase {
    var ws: Workspace!
    var server: ScriptedServer!

    override func setUpWithError() throws {
        ws = try Workspace()
        server = try ScriptedServer(scratch: ws.root)
    }

    override func tearDownWithError() throws {
        server = nil
        ws = nil
    }

    /// A git hub with one local repository: the hub that must go on.
    func plainHub() throws -> String {
        let repo = try ws.newRepository("org/plain")
        try ws.write("model.txt", "plain weights\n", in: repo)
        try ws.commitAll("first", in: repo)
        try ws.publish(repo, as: "org/plain")
        return "[[hub]]\nkind = \"git\"\nname = \"plain\"\nrepositories = [\"\(ws.served)/org/plain.git\"]\n"
    }

    func writeConfig(_ body: String) throws {
        try "[storage]\npath = \"\(ws.store)\"\n\n\(body)".write(toFile: ws.configPath, atomically: true, encoding: .utf8)
    }

    /// `sediment ARGS` under `ulimit -v` (KiB) and a `timeout` (seconds) that only a hang reaches.
    func sediment(_ arguments: [String], memory: Int = 2_000_000, timeout: Int = 300) throws -> ProcessResult {
        try Shell.run("/bin/bash", ["-c", "ulimit -v \(memory); exec timeout -s KILL \(timeout) \"$@\"", "bash", Shell.sedimentBinary]
                      + arguments + ["--config", ws.configPath], cwd: ws.root)
    }

    func testJSONBombsFailTheirHubUnderAMemoryLimitAndOtherHubsGoOn() throws {
        // models.json of 3,000,000 `{}`: 9 MB of file, millions of objects once decoded.
        let index = try ws.newRepository("org/index")
        try ws.write("models.json", Data(("[" + String(repeating: "{},", count: 2_999_999) + "{}]").utf8), in: index)
        try ws.commitAll("index", in: index)
        try ws.publish(index, as: "org/index")
        // An ONNX manifest over the configured cap of index files (10 MB).
        let zoo = try ws.newRepository("org/zoo")
        try ws.write("ONNX_HUB_MANIFEST.json", Data(("[" + String(repeating: " ", count: 10_500_000) + "]").utf8), in: zoo)
        try ws.commitAll("manifest", in: zoo)
        try ws.publish(zoo, as: "org/zoo")
        try writeConfig("""
            [limits]
            index_bytes = 10000000

            [[hub]]
            kind = "huggingface"
            name = "bomb"
            endpoint = "\(server.base)/json-bomb/500"

            [[hub]]
            kind = "huggingface"
            name = "flood"
            endpoint = "\(server.base)/json-flood/200"
            limit = 1

            [[hub]]
            kind = "modelhub"
            name = "index"
            index = "\(ws.served)/org/index.git"

            [[hub]]
            kind = "onnx-model-zoo"
            name = "zoo"
            repository = "\(ws.served)/org/zoo.git"

            \(try plainHub())
            """)
        // 2 GB of address space: the gzip bomb alone took 5 GB before bodies were bounded.
        let sync = try sediment(["sync", "--json"])
        XCTAssertEqual(sync.status, 1, "hub errors make sync exit 1, without a crash: \(sync.stderr)")
        let errors = sync.jsonLines.compactMap { $0["hub_error"] as? String }
        func error(_ hub: String) -> String { errors.first { $0.hasPrefix("hub \(hub):") } ?? "" }
        XCTAssertEqual(errors.count, 4, "\(errors)")
        for hub in ["bomb", "flood"] {
            XCTAssertTrue(error(hub).contains("the response body is over 33554432 bytes"), error(hub))
            XCTAssertTrue(error(hub).contains("a listing page is at most 33554432 bytes (limits.listing_bytes)"), error(hub))
        }
        XCTAssertTrue(error("index").contains("models.json holds more than 2000000 JSON values (limits.json_values)"), error("index"))
        XCTAssertTrue(error("zoo").contains("ONNX_HUB_MANIFEST.json is 10500002 bytes, over the 10000000 bytes an index is read up to (limits.index_bytes)"),
                      error("zoo"))
        let plain = sync.jsonLines.first { $0["hub"] as? String == "plain" }
        XCTAssertEqual(plain?["status"] as? String, "full", "the other hub is archived: \(sync.out)")
        XCTAssertNotNil(plain?["snapshot"] as? String, "\(plain ?? [:])")
    }

    /// A first listing page that announces no request for ten years: the next page waits
    /// `max_pause` (2 s here), the listing ends, and the other hub is archived.
    func testTenYearPauseIsCappedAndOtherHubsAreCrawled() throws {
        try writeConfig("""
            [http]
            max_pause = "2s"

            [[hub]]
            kind = "huggingface"
            name = "paused"
            endpoint = "\(server.base)/paused-listing/capped"

            \(try plainHub())
            """)
        let sync = try sediment(["sync", "--json"], timeout: 240)
        XCTAssertEqual(sync.status, 0, "sync ends (a ten-year sleep was killed at the time limit: 137): \(sync.stderr)")
        XCTAssertEqual(try server.count("capped"), 2, "both listing pages were asked")
        XCTAssertEqual(sync.jsonLines.first { $0["hub"] as? String == "plain" }?["status"] as? String, "full", sync.out)
    }

    /// Ctrl-C while the listing waits for a server's pause (capped at an hour here) ends sync
    /// at once, long before `stop_timeout` would.
    func testInterruptEndsAPauseAtOnce() throws {
        try writeConfig("""
            [http]
            max_pause = "1h"

            [daemon]
            stop_timeout = "1h"

            [[hub]]
            kind = "huggingface"
            name = "paused"
            endpoint = "\(server.base)/paused-listing/interrupted"

            \(try plainHub())
            """)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Shell.sedimentBinary)
        process.arguments = ["sync", "--config", ws.configPath]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let limit = Date().addingTimeInterval(120)
        while try server.count("interrupted") < 1, Date() < limit { usleep(100_000) }
        XCTAssertEqual(try server.count("interrupted"), 1, "the first page was asked")
        usleep(500_000)  // the second page now waits for the pause
        XCTAssertTrue(process.isRunning, "sync waits for the server's pause")
        kill(process.processIdentifier, SIGINT)
        while process.isRunning, Date() < limit { usleep(100_000) }
        XCTAssertFalse(process.isRunning, "sync still waits for the pause after Ctrl-C")
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130)
        XCTAssertEqual(try server.count("interrupted"), 1, "the paused page was never asked")
    }
}

extension ScriptedServer {
    /// How many requests the paths of `key` received.
    func count(_ key: String) throws -> Int {
        let result = try Shell.run("/usr/bin/curl", ["-s", base + "/count/\(key)"])
        let object = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Int]
        return object?["count"] ?? -1
    }
}

/// `[limits]` and `http.max_pause` reach the crawler's HTTP client; the shipped
/// configuration states the defaults.
final class LimitsConfigurationTests: XCTestCase {
    func testLimitsAndMaxPauseAreRead() throws {
        let text = """
            [http]
            max_pause = "1h"

            [limits]
            listing_bytes = 2048
            batch_bytes = 4096
            index_bytes = 8192
            json_values = 10
            card_bytes = 2048
            config_bytes = 1024

            [[hub]]
            kind = "git"
            repositories = ["/srv/git/model.git"]
            """
        let configuration = try Configuration.parse(text, file: "test.toml")
        XCTAssertEqual(configuration.http.maxPause, 3600)
        XCTAssertEqual(configuration.limits.indexBytes, 8192)
        let responses = configuration.limits.responses
        XCTAssertEqual(responses.listingBytes, 2048)
        XCTAssertEqual(responses.batchBytes, 4096)
        XCTAssertEqual(responses.json.maxValues, 10)
        XCTAssertEqual(configuration.limits.files, ObservationExtractor.Limits(cardBytes: 2048, configBytes: 1024))

        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("config/sediment.toml").path
        let defaults = try Configuration.load(path: shipped)
        XCTAssertEqual(defaults.http.maxPause, Configuration().http.maxPause)
        XCTAssertEqual(defaults.limits.listingBytes, Configuration().limits.listingBytes)
        XCTAssertEqual(defaults.limits.batchBytes, Configuration().limits.batchBytes)
        XCTAssertEqual(defaults.limits.indexBytes, Configuration().limits.indexBytes)
        XCTAssertEqual(defaults.limits.jsonValues, Configuration().limits.jsonValues)
        XCTAssertEqual(defaults.limits.files, Configuration().limits.files)
    }
}
