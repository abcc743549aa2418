import Foundation
import SedimentHTTP
import TestSupport
import XCTest

/// The libcurl client against a real loopback HTTP server with scripted behaviours
/// (`Tests/Support/scripted_http_server.py`).
final class HTTPClientTests: XCTestCase {
    // Set once by the class's setUp, before any test runs.
    nonisolated(unsafe) static var server: ScriptedServer?
    nonisolated(unsafe) static var base = ""
    var key: String { name.filter { $0.isLetter || $0.isNumber } }

    override class func setUp() {
        server = try? ScriptedServer()
        base = server?.base ?? ""
    }

    override class func tearDown() {
        server?.stop()
    }

    func client(attempts: Int = 4, totalTimeout: Double = 30, maxBody: Int = 1 << 20) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.retry = RetryPolicy(maxAttempts: attempts, baseDelay: 0.01, maxDelay: 0.05, maxRetryAfter: 10)
        configuration.totalTimeout = totalTimeout
        configuration.maxBodyBytes = maxBody
        return HTTPClient(configuration: configuration)
    }

    func get(_ path: String, _ client: HTTPClient? = nil) throws -> HTTPResponse {
        try (client ?? self.client()).send(HTTPRequest(url: Self.base + path))
    }

    func testPlainGetAndConditionalRequests() throws {
        XCTAssertFalse(Self.base.isEmpty, "the scripted server did not start")
        let first = try get("/ok")
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(String(decoding: first.body, as: UTF8.self), "hello")
        XCTAssertEqual(first.validators, Validators(etag: "\"v1\"", lastModified: "Wed, 01 Jan 2025 00:00:00 GMT"))
        let again = try client().send(HTTPRequest(url: Self.base + "/ok", validators: first.validators))
        XCTAssertTrue(again.isNotModified)
        XCTAssertTrue(again.body.isEmpty)
        let byDate = try client().send(HTTPRequest(url: Self.base + "/ok", validators: Validators(lastModified: "Wed, 01 Jan 2025 00:00:00 GMT")))
        XCTAssertEqual(byDate.status, 304)
    }

    func testServerErrorsAreRetriedThenSucceed() throws {
        let response = try get("/flaky/2/\(key)")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.attempts, 3)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "recovered")
    }

    func testRetriesAreBounded() throws {
        let response = try get("/flaky/100/\(key)", client(attempts: 3))
        XCTAssertEqual(response.status, 503, "after the last attempt the failing response is returned")
        XCTAssertEqual(response.attempts, 3)
        let count = try get("/count/\(key)")
        XCTAssertEqual(String(decoding: count.body, as: UTF8.self), "{\"count\": 3}")
        // Client errors are not retried.
        XCTAssertEqual(try get("/status/404").attempts, 1)
        XCTAssertEqual(try get("/status/403").attempts, 1)
    }

    func testRetryAfterSecondsAndDateAreHonoured() throws {
        let seconds = try get("/retry-after/1/\(key)")
        XCTAssertEqual(seconds.status, 200)
        XCTAssertEqual(seconds.attempts, 2)
        XCTAssertGreaterThanOrEqual(seconds.waited, 1.0, "Retry-After: 1 means wait a second, not the short backoff")
        let date = try get("/retry-after-date/2/\(key)-date")
        XCTAssertEqual(date.status, 200)
        XCTAssertEqual(date.attempts, 2)
        XCTAssertGreaterThan(date.waited, 0.05, "an HTTP-date Retry-After is waited for")
    }

    func testRetryAfterBeyondTheLimitFailsClearly() throws {
        XCTAssertThrowsError(try get("/retry-after/3600/\(key)")) { error in
            guard let http = error as? HTTPError else { return XCTFail("\(error)") }
            XCTAssertEqual(http.kind, .rateLimited(retryAfter: 3600))
            XCTAssertTrue(http.description.contains("3600"), http.description)
        }
    }

    func testExhaustedRateLimitHoldsTheNextRequest() throws {
        let client = self.client()
        let first = try client.send(HTTPRequest(url: Self.base + "/ratelimit/1/\(key)"))
        XCTAssertEqual(first.waited, 0)
        let second = try client.send(HTTPRequest(url: Self.base + "/ratelimit/1/\(key)"))
        XCTAssertEqual(second.status, 200)
        XCTAssertGreaterThan(second.waited, 0.5, "no request goes out before the announced reset")
    }

    func testPaginationLinksRedirectsAndCompression() throws {
        var url: String? = Self.base + "/pages?page=1"
        var pages: [Int] = []
        while let next = url {
            let response = try client().send(HTTPRequest(url: next))
            let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Int]
            pages.append(object?["page"] ?? -1)
            url = response.nextLink
        }
        XCTAssertEqual(pages, [1, 2, 3])
        let redirected = try get("/redirect")
        XCTAssertEqual(redirected.status, 200)
        XCTAssertTrue(redirected.url.hasSuffix("/ok"))
        XCTAssertThrowsError(try get("/loop")) { error in
            XCTAssertTrue("\(error)".contains("redirect"), "\(error)")
        }
        let compressed = try get("/gzip")
        XCTAssertEqual(String(decoding: compressed.body, as: UTF8.self), String(repeating: "compressed hello", count: 100))
    }

    func testBodyLimitAndTimeout() throws {
        XCTAssertThrowsError(try get("/big/2000000", client(maxBody: 1_000_000))) { error in
            XCTAssertEqual((error as? HTTPError)?.kind, .tooLarge(limit: 1_000_000))
        }
        XCTAssertEqual(try get("/big/500000", client(maxBody: 1_000_000)).body.count, 500_000)
        XCTAssertThrowsError(try get("/slow/3", client(attempts: 1, totalTimeout: 0.5))) { error in
            guard case .transport = (error as? HTTPError)?.kind else { return XCTFail("\(error)") }
        }
    }

    /// A server that sends nothing is left after the stall timeout, a request past its
    /// deadline ends then (and is not sent again), and a connection never established ends
    /// after the connect timeout: each a typed error naming the URL and the limit.
    func testStallDeadlineAndConnectTimeoutsEndTransfers() throws {
        var configuration = HTTPClient.Configuration()
        configuration.retry = RetryPolicy(maxAttempts: 1, baseDelay: 0.01, maxDelay: 0.05, maxRetryAfter: 10)
        configuration.stallTimeout = 1
        XCTAssertThrowsError(try get("/slow/30", HTTPClient(configuration: configuration))) { error in
            XCTAssertEqual((error as? HTTPError)?.kind, .timedOut(.stall(seconds: 1)), "\(error)")
            XCTAssertTrue("\(error)".contains(Self.base + "/slow/30") && "\(error)".contains("timed out: no byte for 1 s"), "\(error)")
        }

        configuration.stallTimeout = 60
        configuration.retry = RetryPolicy(maxAttempts: 4, baseDelay: 0.01, maxDelay: 0.05, maxRetryAfter: 10)
        var request = HTTPRequest(url: Self.base + "/slow/30")
        request.deadline = Date().addingTimeInterval(1)
        XCTAssertThrowsError(try HTTPClient(configuration: configuration).send(request)) { error in
            XCTAssertEqual((error as? HTTPError)?.kind, .timedOut(.deadline), "\(error)")
            XCTAssertEqual((error as? HTTPError)?.attempts, 1, "a passed deadline is not retried")
        }

        // A listener whose accept queue is full: the kernel leaves new handshakes unanswered.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        listen(listener, 0)
        var fillers: [Int32] = []
        defer { fillers.forEach { close($0) } }
        for _ in 0..<4 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) } }
            fillers.append(fd)
        }
        usleep(200_000)
        configuration.connectTimeout = 1
        configuration.retry = RetryPolicy(maxAttempts: 1, baseDelay: 0.01, maxDelay: 0.05, maxRetryAfter: 10)
        let url = "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))/x"
        XCTAssertThrowsError(try HTTPClient(configuration: configuration).send(HTTPRequest(url: url))) { error in
            XCTAssertEqual((error as? HTTPError)?.kind, .timedOut(.connect(seconds: 1)), "\(error)")
            XCTAssertTrue("\(error)".contains(url) && "\(error)".contains("no connection within 1 s"), "\(error)")
        }
    }

    func testConnectionRefusedIsRetriedThenReported() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        close(fd)
        let port = UInt16(bigEndian: address.sin_port)
        XCTAssertThrowsError(try client(attempts: 3).send(HTTPRequest(url: "http://127.0.0.1:\(port)/x"))) { error in
            guard let http = error as? HTTPError else { return XCTFail("\(error)") }
            XCTAssertEqual(http.attempts, 3)
            XCTAssertTrue(http.description.contains("127.0.0.1:\(port)"), http.description)
        }
    }

    func testSecretsNeverAppearInErrors() throws {
        var request = HTTPRequest(url: Self.base + "/echo")
        request.authorize(bearer: "hf_VERYSECRET123")
        let echoed = try client().send(request)
        XCTAssertTrue(String(decoding: echoed.body, as: UTF8.self).contains("Bearer hf_VERYSECRET123"), "the token is sent")
        var failing = HTTPRequest(url: "http://user:hf_VERYSECRET123@127.0.0.1:1/x?token=hf_VERYSECRET123")
        failing.secrets = ["hf_VERYSECRET123"]
        XCTAssertThrowsError(try client(attempts: 1).send(failing)) { error in
            XCTAssertFalse("\(error)".contains("hf_VERYSECRET123"), "\(error)")
        }
        let post = try client().send(HTTPRequest(method: "POST", url: Self.base + "/echo", body: Data("{\"a\":1}".utf8)))
        let object = try JSONSerialization.jsonObject(with: post.body) as? [String: Any]
        XCTAssertEqual(object?["method"] as? String, "POST")
        XCTAssertEqual(object?["body"] as? String, "{\"a\":1}")
    }

    func testRetryAfterAndRateLimitParsing() {
        XCTAssertEqual(RetryPolicy.requestedWait(["Retry-After": "7"]), 7)
        XCTAssertEqual(RetryPolicy.requestedWait(["RateLimit": "\"api\";r=0;t=42"]), 42)
        XCTAssertEqual(RetryPolicy.requestedWait(["RateLimit": "limit=10, remaining=0, reset=9"]), 9)
        XCTAssertNil(RetryPolicy.requestedWait(["RateLimit": "limit=10, remaining=3, reset=9"]))
        XCTAssertEqual(RetryPolicy.requestedWait(["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "12"]), 12)
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        XCTAssertEqual(RetryPolicy.requestedWait(["Retry-After": "Tue, 14 Nov 2023 22:13:40 GMT"], now: now), 20)
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: 1, maxDelay: 8)
        for attempt in 1...6 {
            let delay = policy.backoff(after: attempt)
            let cap = min(8, pow(2, Double(attempt - 1)))
            XCTAssertGreaterThanOrEqual(delay, cap / 2)
            XCTAssertLessThanOrEqual(delay, cap)
        }
    }
}

/// An in-memory ``ResponseCache`` for the tests.
final class MemoryCache: ResponseCache, @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: CachedResponse] = [:]

    func cachedResponse(for url: String) -> CachedResponse? {
        lock.lock()
        defer { lock.unlock() }
        return entries[url]
    }

    func store(_ response: CachedResponse, for url: String) {
        lock.lock()
        entries[url] = response
        lock.unlock()
    }
}

extension HTTPClientTests {
    func testCacheMakesRepeatedRequestsConditional() throws {
        let cache = MemoryCache()
        let first = try client().send(HTTPRequest(url: Self.base + "/ok"), cache: cache)
        XCTAssertFalse(first.revalidated)
        XCTAssertEqual(cache.cachedResponse(for: Self.base + "/ok")?.validators.etag, "\"v1\"")
        let second = try client().send(HTTPRequest(url: Self.base + "/ok"), cache: cache)
        XCTAssertTrue(second.revalidated, "the server answered 304")
        XCTAssertEqual(second.status, 200)
        XCTAssertEqual(String(decoding: second.body, as: UTF8.self), "hello", "the cached body stands in for the 304")
        // A resource without validators is never cached.
        _ = try client().send(HTTPRequest(url: Self.base + "/gzip"), cache: cache)
        XCTAssertNil(cache.cachedResponse(for: Self.base + "/gzip"))
    }
}
