import Foundation
import SedimentHTTP
import SedimentNetwork
import XCTest

/// The code of an ``HTTPError`` is decided where it is made, from the status, the libcurl
/// code or the limit that ended the request.
final class HTTPErrorCodeTests: XCTestCase {
    func testStatuses() {
        XCTAssertNil(FailureCode(status: 200))
        XCTAssertNil(FailureCode(status: 304))
        XCTAssertEqual(FailureCode(status: 401), .unauthorised)
        XCTAssertEqual(FailureCode(status: 403), .gated)
        XCTAssertEqual(FailureCode(status: 404), .notFound)
        XCTAssertEqual(FailureCode(status: 410), .notFound)
        XCTAssertEqual(FailureCode(status: 429), .rateLimited)
        XCTAssertEqual(FailureCode(status: 500), .serverError)
        XCTAssertEqual(FailureCode(status: 503), .serverError)
        XCTAssertEqual(FailureCode(status: 418), .protocol)
    }

    func testCurlCodes() {
        XCTAssertEqual(HTTPError.code(curl: 28 /* CURLE_OPERATION_TIMEDOUT */), .timeout)
        XCTAssertEqual(HTTPError.code(curl: 7 /* CURLE_COULDNT_CONNECT */), .connection)
        XCTAssertEqual(HTTPError.code(curl: 6 /* CURLE_COULDNT_RESOLVE_HOST */), .connection)
        XCTAssertEqual(HTTPError.code(curl: 56 /* CURLE_RECV_ERROR */), .connection)
        XCTAssertEqual(HTTPError.code(curl: 60 /* CURLE_PEER_FAILED_VERIFICATION */), .protocol)
        XCTAssertEqual(HTTPError.code(curl: 23 /* CURLE_WRITE_ERROR */), .localIO)
    }

    func testKinds() {
        func error(_ kind: HTTPError.Kind) -> HTTPError {
            HTTPError(kind: kind, method: "GET", url: "https://hub.example/x", message: "m", attempts: 1)
        }
        XCTAssertEqual(error(.timedOut(.stall(seconds: 2))).code, .stalled)
        XCTAssertEqual(error(.timedOut(.connect(seconds: 2))).code, .timeout)
        XCTAssertEqual(error(.timedOut(.deadline)).code, .timeout)
        XCTAssertEqual(error(.tooLarge(limit: 1)).code, .protocol)
        XCTAssertEqual(error(.refused(reason: "r")).code, .refused)
        XCTAssertEqual(error(.cancelled).code, .cancelled)
        let limited = error(.rateLimited(retryAfter: 120))
        XCTAssertEqual(limited.code, .rateLimited)
        XCTAssertEqual(limited.retryAfter, 120, "the server's Retry-After travels with the error")
    }

    /// Against real servers: nothing listening, a Retry-After beyond max_pause, a URL
    /// libcurl refuses to take.
    func testRealFailuresCarryTheirCode() throws {
        // A port nothing listens on: bind one, learn it, close it.
        let client = HTTPClient(configuration: {
            var configuration = HTTPClient.Configuration()
            configuration.retry = RetryPolicy(maxAttempts: 1)
            return configuration
        }())
        XCTAssertThrowsError(try client.send(HTTPRequest(url: "http://127.0.0.1:1/x"))) { error in
            XCTAssertEqual((error as? HTTPError)?.code, .connection, "\(error)")
            XCTAssertEqual((error as? HTTPError)?.code.isTransient, true, "a connection failure is transient")
            XCTAssertEqual((error as? HTTPError)?.isTransient, false, "send has retried already: its caller does not again")
        }
    }

    /// A failing `curl_easy_setopt` fails the request, naming the option and the URL without
    /// its credentials (libcurl refuses strings over 8 MB: CURLE_BAD_FUNCTION_ARGUMENT).
    func testAFailingSetoptIsAnError() {
        let url = "http://user:sekrit@127.0.0.1:1/" + String(repeating: "a", count: 9 << 20)
        XCTAssertThrowsError(try HTTPClient().send(HTTPRequest(url: url))) { error in
            guard let http = error as? HTTPError else { return XCTFail("\(error)") }
            XCTAssertTrue(http.message.contains("CURLOPT_URL"), http.message)
            XCTAssertFalse(http.description.contains("sekrit"))
            XCTAssertTrue(http.url.hasPrefix("http://***@127.0.0.1:1/"))
            XCTAssertFalse(http.isTransient)
        }
    }
}

extension HTTPClientTests {
    func testErrorsFromAnswersCarryCodeAndRetryAfter() throws {
        XCTAssertThrowsError(try get("/retry-after/3600/\(key)")) { error in
            guard let http = error as? HTTPError else { return XCTFail("\(error)") }
            XCTAssertEqual(http.code, .rateLimited)
            XCTAssertEqual(http.retryAfter, 3600)
            XCTAssertFalse(http.isTransient, "a wait beyond max_pause is not retried")
        }
        // The attempts run out on a 503: the last answer is returned, not an error.
        let response = try get("/status/503", client(attempts: 2))
        XCTAssertEqual(response.status, 503)
        XCTAssertEqual(response.attempts, 2)
    }
}
