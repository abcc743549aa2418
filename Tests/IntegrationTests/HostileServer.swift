import Foundation
import XCTest

/// `Tests/Support/scripted_http_server.py` as a server that does not play by the rules: a
/// Hugging Face listing whose pages link elsewhere or to themselves, an LFS batch endpoint
/// whose objects are longer than announced; and it records every request it receives
/// (with its `Authorization` header), to show what Sediment sent where.
final class HostileServer {
    let port: UInt16
    private let process: Process

    init(home: String, scratch: String) throws {
        (process, port) = try launchTestServer("scripted_http_server.py", [], home: home,
                                               portFile: scratch + "/scripted-port-\(UUID().uuidString)")
    }

    deinit {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far: method, path (with query) and `Authorization` (nil when absent).
    func requests() throws -> [(method: String, path: String, authorization: String?)] {
        let data = try Shell.run(Shell.which("curl"), ["-s", base + "/requests"]).stdout
        let list = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
        return list.map { ($0["method"] as? String ?? "", $0["path"] as? String ?? "", $0["authorization"] as? String) }
    }
}
