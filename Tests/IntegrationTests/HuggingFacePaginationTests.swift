import Foundation
import XCTest

/// The Hugging Face listing follows `Link: rel="next"` only where it is safe and useful: on
/// the endpoint's own origin (the token goes nowhere else), and never to a page it listed
/// already (a listing that loops fails at once, not after 100,000 pages).
final class HuggingFacePaginationTests: XCTestCase {
    var ws: Workspace!
    var server: HostileServer!
    let token = "hf_pagination_secret_token"

    override func setUpWithError() throws {
        ws = try Workspace()
        server = try HostileServer(home: ws.home, scratch: ws.root)
        try (token + "\n").write(toFile: ws.root + "/token", atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        server = nil
        ws = nil
    }

    /// Syncs a `huggingface` hub whose endpoint is the hostile listing `mode`.
    func sync(_ mode: String) throws -> ProcessResult {
        try """
            [storage]
            path = "\(ws.store)"

            [http]
            max_attempts = 1

            [[hub]]
            kind = "huggingface"
            name = "hf"
            endpoint = "\(server.base)/hf/\(mode)"
            token_file = "\(ws.root)/token"
            """.write(toFile: ws.configPath, atomically: true, encoding: .utf8)
        return try ws.sediment(["sync", "--json"])
    }

    func testANextPageOnAnotherPortIsNotFollowedAndGetsNoToken() throws {
        let elsewhere = try HostileServer(home: ws.home, scratch: ws.root)
        let result = try sync("offsite/\(elsewhere.port)")
        XCTAssertEqual(result.status, 1, result.out)
        XCTAssertTrue(result.stderr.contains("hub hf") && result.stderr.contains("not on the endpoint's origin"), result.stderr)
        XCTAssertTrue(result.stderr.contains("127.0.0.1:\(elsewhere.port)"), "the error names the page refused: \(result.stderr)")
        XCTAssertEqual(try elsewhere.requests().count, 0, "the other origin is never asked, so never given the token")
        // The endpoint itself was asked, with the token.
        let asked = try server.requests().filter { $0.path.hasPrefix("/hf/offsite/") }
        XCTAssertEqual(asked.count, 1)
        XCTAssertEqual(asked.first?.authorization, "Bearer \(token)")
        XCTAssertFalse(result.out.contains(token) || result.stderr.contains(token))
    }

    func testAPageLinkingToItselfFailsTheListingAtOnce() throws {
        let result = try sync("self")
        XCTAssertEqual(result.status, 1, result.out)
        XCTAssertTrue(result.stderr.contains("already listed"), result.stderr)
        XCTAssertEqual(try server.requests().filter { $0.path.hasPrefix("/hf/self/") }.count, 1, "the page is asked once")
    }

    func testARepeatedCursorFailsTheListing() throws {
        let result = try sync("cursor")
        XCTAssertEqual(result.status, 1, result.out)
        XCTAssertTrue(result.stderr.contains("cursor repeats the cursor of page 2"), result.stderr)
        XCTAssertEqual(try server.requests().filter { $0.path.hasPrefix("/hf/cursor/") }.count, 2)
    }

    func testPagesThatListNothingNewFailTheListing() throws {
        let result = try sync("stale")
        XCTAssertEqual(result.status, 1, result.out)
        XCTAssertTrue(result.stderr.contains("listed no model not listed before"), result.stderr)
        XCTAssertEqual(try server.requests().filter { $0.path.hasPrefix("/hf/stale/") }.count, 11,
                       "the first page lists the model; ten more list nothing new")
    }
}
