import Foundation
@testable import SedimentHTTP
import XCTest

/// Inputs the fuzz targets (Fuzz/, `make fuzz`) found to stop the process, minimised; each
/// comes from a server and must now be read as "no value".
final class FuzzFindingsTests: XCTestCase {
    /// fuzz-http-headers: a `Retry-After` HTTP date with a combining mark stopped the process
    /// inside Foundation's DateFormatter ("Incorrect range CFRange").
    func testRetryAfterDateWithACombiningMark() {
        let found = "Sunday, 06-Nov-94 08:\u{30F}it:\u{0}9:37 GMT"
        XCTAssertNil(RetryPolicy.httpDate(found))
        XCTAssertNil(RetryPolicy.requestedWait(["Retry-After": found]))
        XCTAssertNil(RetryPolicy.httpDate("Sun, 06 Nov 1994 08:49:37 GMT\u{301}"))
        // Real dates still parse, in the three forms HTTP allows.
        let date = Date(timeIntervalSince1970: 784_111_777)
        XCTAssertEqual(RetryPolicy.httpDate("Sun, 06 Nov 1994 08:49:37 GMT"), date)
        XCTAssertEqual(RetryPolicy.httpDate("Sunday, 06-Nov-94 08:49:37 GMT"), date)
        XCTAssertEqual(RetryPolicy.httpDate("Sun Nov  6 08:49:37 1994"), date)
        XCTAssertEqual(RetryPolicy.requestedWait(["Retry-After": "Sun, 06 Nov 1994 08:50:37 GMT"], now: date), 60)
    }

    /// fuzz-lfs-batch: an `expires_at` with a long fraction of a second stopped the process
    /// inside ICU (SIGFPE) when ISO8601DateFormatter parsed it.
    func testBatchAnswerWithALongFractionInExpiresAt() throws {
        let oid = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"
        let found = #"{"objects":[{"oid":"\#(oid.uppercased())","actions":{"download":{"href":"http:","expires_at":"4-1-1T0:0:0.12666666666666666666666666666666663"}}}]}"#
        let answers = try LFSClient.answers(to: [LFSObjectRequest(oid: oid, size: 5)], body: Data(found.utf8),
                                            received: Date(timeIntervalSince1970: 0), secrets: [], shown: "https://lfs.example")
        XCTAssertEqual(answers.count, 1)
        XCTAssertNil(answers.first?.action?.expiresAt, "a timestamp of the wrong shape is no expiry")
        XCTAssertNil(LFSClient.parseTimestamp("4-1-1T0:0:0.12666666666666666666666666666666663"))
        // The long fraction in an otherwise valid timestamp is cut to milliseconds.
        let long = "2024-01-01T00:00:00.1266666666666666666666666666666666666663+02:00"
        XCTAssertEqual(try XCTUnwrap(LFSClient.parseTimestamp(long)).timeIntervalSince1970, 1_704_060_000.126, accuracy: 0.001)
        XCTAssertEqual(LFSClient.parseTimestamp("2016-11-10T15:29:07Z"), Date(timeIntervalSince1970: 1_478_791_747))
        XCTAssertEqual(LFSClient.parseTimestamp("2016-11-10t15:29:07.5z")?.timeIntervalSince1970, 1_478_791_747.5)
        XCTAssertNil(LFSClient.parseTimestamp("tomorrow"))
    }

    /// fuzz-http-headers' property (a wait is a finite number of seconds an Int holds) failed
    /// on numbers `Double(_:)` accepts: on a retryable status the client printed
    /// `Int(requested)`, which stops the process for an infinite or huge value.
    func testWaitsThatAreNotDecimalSecondsAreIgnored() {
        for value in ["inf", "nan", "-inf", "1e400", "1e300", "0x1p60", "+5", "-5", "1.", ".5", "5 s", ""] {
            XCTAssertNil(RetryPolicy.requestedWait(["Retry-After": value]), value)
            XCTAssertNil(RetryPolicy.requestedWait(["RateLimit": "limit=10, remaining=0, reset=\(value)"]), value)
            XCTAssertNil(RetryPolicy.requestedWait(["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": value]), value)
        }
        XCTAssertNil(RetryPolicy.requestedWait(["RateLimit": "r=nan, t=5"]), "remaining=nan is not 0")
        let huge = String(repeating: "9", count: 400)
        for headers: HTTPHeaders in [["Retry-After": huge], ["RateLimit": "r=0;t=\(huge)"], ["RateLimit-Remaining": "0", "RateLimit-Reset": huge]] {
            let wait = RetryPolicy.requestedWait(headers, now: Date(timeIntervalSince1970: 1_700_000_000))
            XCTAssertNotNil(wait)
            XCTAssertTrue(wait.map { $0.isFinite && $0 <= RetryPolicy.longestHeaderSeconds && Int(exactly: $0.rounded()) != nil } == true, "\(headers): \(String(describing: wait))")
        }
        XCTAssertEqual(RetryPolicy.requestedWait(["Retry-After": " 1.5 "]), 1.5)
        XCTAssertEqual(RetryPolicy.requestedWait(["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1700000030"],
                                                 now: Date(timeIntervalSince1970: 1_700_000_000)), 30, "an epoch reset")
    }
}
