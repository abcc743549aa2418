import Foundation
import SedimentGit
import SedimentNetwork
import TestSupport
import XCTest

/// Fetches that fail against a real loopback HTTP server answering a status
/// (`Tests/Support/scripted_http_server.py`): the error's code says which failure it was.
final class FetchFailureTests: XCTestCase {
    // Set once by the class's setUp, before any test runs.
    nonisolated(unsafe) static var server: ScriptedServer?
    nonisolated(unsafe) static var base = ""
    var folder: URL!

    override class func setUp() {
        server = try? ScriptedServer()
        base = server?.base ?? ""
    }

    override class func tearDown() {
        server?.stop()
    }

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mirror-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func fetchError(status: Int) throws -> GitError {
        XCTAssertFalse(Self.base.isEmpty, "the scripted server did not start")
        let mirror = try Repository.openOrCreateBare(at: folder.path)
        do {
            _ = try mirror.fetch(url: "\(Self.base)/status/\(status)/model.git", patterns: .default,
                                 limits: TransferLimits(connectTimeout: 10, stallTimeout: 30))
        } catch let error as GitError {
            return error
        }
        XCTFail("the fetch of a \(status) answer did not fail")
        return GitError(resultCode: 0, message: "no failure", operation: "fetch", context: "", code: .other)
    }

    func testStatusesBecomeCodes() throws {
        XCTAssertEqual(try fetchError(status: 404).code, .notFound)
        XCTAssertEqual(try fetchError(status: 403).code, .gated)
        XCTAssertEqual(try fetchError(status: 429).code, .rateLimited)
        XCTAssertEqual(try fetchError(status: 503).code, .serverError)
        // 401: libgit2 asks for credentials, and none are configured.
        let unauthorised = try fetchError(status: 401)
        XCTAssertEqual(unauthorised.code, .unauthorised, unauthorised.description)
        XCTAssertTrue(unauthorised.description.contains("authentication"), unauthorised.description)
    }
}
