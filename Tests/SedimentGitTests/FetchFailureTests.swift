import Foundation
import SedimentGit
import SedimentNetwork
import XCTest

/// Fetches that fail against a real loopback HTTP server answering a status
/// (`Tests/Support/scripted_http_server.py`): the error's code says which failure it was.
final class FetchFailureTests: XCTestCase {
    static var server: Process?
    static var base = ""
    var folder: URL!

    override class func setUp() {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("git-http-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let portFile = folder.appendingPathComponent("port").path
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support/scripted_http_server.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--port-file", portFile]
        try? process.run()
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), !text.isEmpty {
                base = "http://127.0.0.1:\(text)"
                break
            }
            usleep(50_000)
        }
        server = process
    }

    override class func tearDown() {
        if let server {
            kill(server.processIdentifier, SIGTERM)
            server.waitUntilExit()
        }
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
