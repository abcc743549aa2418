import Foundation
import SedimentGit
import SedimentNetwork
import XCTest

/// The code of a ``GitError`` is decided where it is made: from libgit2's return code, its
/// error class, and the words libgit2 1.5 uses for HTTP statuses and broken connections.
final class GitErrorTests: XCTestCase {
    func error(_ message: String, resultCode: Int32 = -1, errorClass: Int32 = 34) -> GitError {
        GitError(resultCode: resultCode, errorClass: errorClass, message: message, operation: "fetch", context: "https://hub.example/x")
    }

    func testHTTPStatusesAsLibgit2SaysThem() {
        XCTAssertEqual(error("unexpected http status code: 404").code, .notFound)
        XCTAssertEqual(error("unexpected HTTP status code: 410").code, .notFound)
        XCTAssertEqual(error("unexpected http status code: 401").code, .unauthorised)
        XCTAssertEqual(error("unexpected http status code: 403").code, .gated)
        XCTAssertEqual(error("unexpected http status code: 429").code, .rateLimited)
        XCTAssertEqual(error("unexpected http status code: 500").code, .serverError)
        XCTAssertEqual(error("unexpected http status code: 503").code, .serverError)
        XCTAssertEqual(error("unexpected http status code: 400").code, .protocol)
        for status in [429, 500, 502, 503, 504] {
            XCTAssertTrue(error("unexpected http status code: \(status)").isTransient, "\(status)")
        }
        for status in [400, 401, 403, 404, 410] {
            XCTAssertFalse(error("unexpected http status code: \(status)").isTransient, "\(status)")
        }
    }

    func testReturnCodesAndClasses() {
        let rejected = error("authentication failed (credentials rejected)", resultCode: -16, errorClass: 12)
        XCTAssertEqual(rejected.code, .unauthorised)
        XCTAssertFalse(rejected.isTransient)
        XCTAssertEqual(error("too many redirects or authentication replays", errorClass: 12).code, .unauthorised)
        XCTAssertEqual(error("could not find repository at '/srv/x'", resultCode: -3, errorClass: 6).code, .notFound)
        XCTAssertEqual(error("reference 'refs/heads/x' not found", resultCode: -3, errorClass: 4).code, .notFound)
        XCTAssertEqual(error("early EOF", errorClass: 12).code, .connection)
        XCTAssertTrue(error("early EOF", errorClass: 12).isTransient)
        XCTAssertEqual(error("SSL error: connection reset by peer", errorClass: 16).code, .connection)
        XCTAssertEqual(error("failed to read from socket: Connection timed out", errorClass: 12).code, .timeout)
        XCTAssertEqual(error("failed to create directory: No space left on device", errorClass: 2).code, .localIO)
        XCTAssertEqual(error("out of memory", errorClass: 1).code, .localIO)
        XCTAssertEqual(error("cancelled", errorClass: 26).code, .cancelled)
        XCTAssertEqual(error("failed to resolve address for nowhere: Name or service not known", errorClass: 12).code, .other,
                       "a connection that never started is not retried")
        XCTAssertFalse(error("failed to resolve address for nowhere: Name or service not known", errorClass: 12).isTransient)
        XCTAssertEqual(GitError(resultCode: -1, message: "x", operation: "o", context: "c", code: .localIO).code, .localIO, "a code given wins")
    }

    func testCodesMatchErrorsInCatchClauses() {
        do {
            throw error("unexpected http status code: 404")
        } catch FailureCode.notFound {
            // matched by code, no message read
        } catch {
            XCTFail("\(error)")
        }
        XCTAssertFalse(FailureCode.notFound ~= error("unexpected http status code: 500"))
    }

    func testTransferLimitsHaveCodes() {
        let connect = TransferTimeout(limit: .connect(2), phase: .connect, url: "u")
        let stall = TransferTimeout(limit: .stall(2), phase: .receivePack, url: "u")
        let deadline = TransferTimeout(limit: .deadline, phase: .negotiate, url: "u")
        XCTAssertEqual(connect.code, .timeout)
        XCTAssertEqual(stall.code, .stalled)
        XCTAssertEqual(deadline.code, .timeout)
        XCTAssertTrue(connect.isTransient)
        XCTAssertTrue(stall.isTransient)
        XCTAssertFalse(deadline.isTransient, "the deadline stays passed")
    }

    func testDescriptionsKeepLibgit2Words() {
        XCTAssertEqual(error("unexpected http status code: 404").description,
                       "fetch https://hub.example/x: unexpected http status code: 404 (libgit2 http error -1)")
    }
}
