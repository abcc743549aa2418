import Foundation
import XCTest

/// The fixture Hugging Face hub of `Tests/Support/fixture_hub.py`: the model listing API and
/// smart-HTTP git for the repositories under its root, with counters and fault injection.
final class FixtureHub {
    let port: UInt16
    let root: String
    private let process: Process

    init(root: String, home: String, scratch: String) throws {
        self.root = root
        (process, port) = try launchTestServer("fixture_hub.py", ["--root", root], home: home,
                                               portFile: scratch + "/hub-port-\(UUID().uuidString)")
    }

    deinit {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Writes the model list the API serves (re-read on every request).
    func setModels(_ models: [[String: Any]]) throws {
        let data = try JSONSerialization.data(withJSONObject: models, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: root + "/models.json"), options: .atomic)
    }

    func call(_ method: String, _ path: String, body: Any? = nil) throws -> Data {
        var arguments = ["-s", "-X", method, endpoint + path]
        var input: Data?
        if let body {
            input = try JSONSerialization.data(withJSONObject: body)
            arguments += ["-H", "Content-Type: application/json", "--data-binary", "@-"]
        }
        return try Shell.run(Shell.which("curl"), arguments, input: input).stdout
    }

    /// Git connections per model and API requests per path since the last reset.
    func stats() throws -> (git: [String: Int], api: [String: Int]) {
        let object = try JSONSerialization.jsonObject(with: call("GET", "/_fixture/stats")) as? [String: Any] ?? [:]
        return (object["git_connections"] as? [String: Int] ?? [:], object["api_requests"] as? [String: Int] ?? [:])
    }

    /// The LFS counters: batch requests, object GETs (all, and with a Range header) per oid,
    /// GETs of expired hrefs and GETs without the action's header.
    func lfsStats() throws -> (batches: Int, gets: [String: Int], rangeGets: [String: Int], expiredGets: Int, unauthorizedGets: Int) {
        let object = try JSONSerialization.jsonObject(with: call("GET", "/_fixture/stats")) as? [String: Any] ?? [:]
        return (object["lfs_batches"] as? Int ?? -1, object["lfs_gets"] as? [String: Int] ?? [:], object["lfs_range_gets"] as? [String: Int] ?? [:],
                object["lfs_expired_gets"] as? Int ?? -1, object["lfs_unauthorized_gets"] as? Int ?? -1)
    }

    /// Adds LFS faults: `(oid, kind, times)`, kinds as `fixture_hub.py` lists them.
    func injectLFS(_ faults: [(String, String, Int)]) throws {
        _ = try call("POST", "/_fixture/lfs-faults", body: faults.map { ["oid": $0.0, "kind": $0.1, "times": $0.2] as [String: Any] })
    }

    func resetStats() throws { _ = try call("POST", "/_fixture/reset-stats") }

    func inject(_ faults: [[String: Any]]) throws { _ = try call("POST", "/_fixture/faults", body: faults) }

    func clearFaults() throws { _ = try call("DELETE", "/_fixture/faults") }
}
