import Foundation
import SedimentHTTP
import TestSupport
import XCTest

/// What a hostile server can make the client do is bounded: bodies by the kind of answer
/// (after decompression), JSON by its values and depth, and a server's requested pause by
/// `max_pause`, cancellable, and holding only that server's host.
final class ServerBoundTests: XCTestCase {
    // Set once by the class's setUp, before any test runs.
    nonisolated(unsafe) static var server: ScriptedServer?
    nonisolated(unsafe) static var port = ""
    static var base: String { "http://127.0.0.1:\(port)" }
    var key: String { name.filter { $0.isLetter || $0.isNumber } }

    override class func setUp() {
        server = try? ScriptedServer()
        port = server?.port ?? ""
    }

    override class func tearDown() {
        server?.stop()
    }

    func client(maxPause: Double = 10, limits: ResponseLimits = ResponseLimits()) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.retry = RetryPolicy(maxAttempts: 2, baseDelay: 0.01, maxDelay: 0.05, maxRetryAfter: maxPause)
        configuration.limits = limits
        return HTTPClient(configuration: configuration)
    }

    func request(_ path: String, kind: ResponseKind? = nil, base: String = ServerBoundTests.base) -> HTTPRequest {
        var request = HTTPRequest(url: base + path)
        request.kind = kind
        return request
    }

    /// Runs `body` on another thread and waits for it at most `seconds` (a bound on a test
    /// that would otherwise hang, not a measure of speed).
    func within<T>(_ seconds: Double, _ body: @escaping @Sendable () -> T) -> T? {
        let box = Box<T>()
        let done = expectation(description: "finished")
        Thread.detachNewThread {
            box.value = body()
            done.fulfill()
        }
        wait(for: [done], timeout: seconds)
        return box.value
    }

    // MARK: bodies

    /// 500 KB of gzip expand to 64 MB of `[{},…]`: the listing cap stops the transfer at 1 MiB
    /// of decompressed bytes, and the error names the kind of answer and its setting.
    func testGzipBombStopsAtTheListingCap() throws {
        var limits = ResponseLimits()
        limits.listingBytes = 1 << 20
        XCTAssertThrowsError(try client(limits: limits).send(request("/json-bomb/64", kind: .listing))) { error in
            guard let http = error as? HTTPError else { return XCTFail("\(error)") }
            XCTAssertEqual(http.kind, .tooLarge(limit: 1 << 20))
            XCTAssertTrue(http.description.contains("over 1048576 bytes"), http.description)
            XCTAssertTrue(http.description.contains("a listing page is at most 1048576 bytes (limits.listing_bytes)"), http.description)
            XCTAssertEqual(http.attempts, 1, "an answer over the cap is not asked again")
        }
        // The default cap is far below the general body limit.
        XCTAssertLessThanOrEqual(ResponseLimits().listingBytes, 64 << 20)
        XCTAssertLessThan(ResponseLimits().batchBytes, ResponseLimits().listingBytes)
    }

    func testUncompressedFloodStopsAtTheBatchCap() throws {
        var limits = ResponseLimits()
        limits.batchBytes = 2 << 20
        XCTAssertThrowsError(try client(limits: limits).send(request("/json-flood/50", kind: .batch))) { error in
            guard let http = error as? HTTPError else { return XCTFail("\(error)") }
            XCTAssertEqual(http.kind, .tooLarge(limit: 2 << 20))
            XCTAssertTrue(http.description.contains("an LFS batch answer is at most 2097152 bytes (limits.batch_bytes)"), http.description)
        }
        // Under the cap, the same answer is read whole.
        let small = try client(limits: limits).send(request("/json-flood/1", kind: .batch))
        XCTAssertEqual(small.body.count, 1 << 20)
    }

    // MARK: JSON

    func testJSONOverItsValueBoundIsRefusedBeforeDecoding() throws {
        let array = Data(("[" + Array(repeating: "{}", count: 3_000).joined(separator: ",") + "]").utf8)
        XCTAssertThrowsError(try BoundedJSON.parse(array, limits: .init(maxValues: 2_000))) { error in
            XCTAssertEqual((error as? BoundedJSON.Refusal)?.problem, "holds more than 2000 JSON values (limits.json_values)")
        }
        XCTAssertEqual((try BoundedJSON.parse(array, limits: .init(maxValues: 3_001)) as? [Any])?.count, 3_000)
        let deep = Data((String(repeating: "[", count: 200) + String(repeating: "]", count: 200)).utf8)
        XCTAssertThrowsError(try BoundedJSON.parse(deep)) { error in
            XCTAssertEqual((error as? BoundedJSON.Refusal)?.problem, "nests arrays and objects deeper than 128 levels")
        }
        // Brackets and quotes inside strings are text, not structure.
        let tricky = Data(#"{"a": "[[[[{{{", "b\"": ["\\", -1.5e3, true, null]}"#.utf8)
        XCTAssertNoThrow(try BoundedJSON.check(tricky, limits: .init(maxValues: 9, maxDepth: 2)))
        XCTAssertThrowsError(try BoundedJSON.check(tricky, limits: .init(maxValues: 8, maxDepth: 2)))
        let decoded = try BoundedJSON.parse(tricky) as? [String: Any]
        XCTAssertEqual(decoded?["a"] as? String, "[[[[{{{")
        XCTAssertEqual((decoded?["b\""] as? [Any])?.count, 4)
        XCTAssertNil(try BoundedJSON.parse(Data("{\"a\": ".utf8)), "not JSON: nil, as JSONSerialization's try? gave")
    }

    // MARK: pauses

    /// A 200 answer announcing no request for ten years holds the host for max_pause only.
    func testTenYearRateLimitIsHeldForMaxPauseOnly() throws {
        let client = self.client(maxPause: 1)
        let first = try client.send(request("/ratelimit/315360000/\(key)"))
        XCTAssertEqual(first.status, 200)
        let again = request("/ratelimit/315360000/\(key)")
        let second = within(60) { Result { try client.send(again) } }
        let response = try XCTUnwrap(second, "the next request waited far beyond max_pause").get()
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "next window")
        XCTAssertGreaterThan(response.waited, 0.5, "the pause (up to max_pause) is still honoured")
    }

    /// While one host is paused, another host is asked at once; the paused request gives up
    /// when its work is cancelled, and at once when its deadline falls within the pause.
    func testPauseHoldsOnlyItsHostAndIsCancellable() throws {
        let shared = client(maxPause: 3600)
        _ = try shared.send(request("/ratelimit/3600/\(key)"))
        let flag = Flag()
        let cancellable = shared.cancellable { flag.isRaised }
        let waiting = expectation(description: "the paused request ends")
        let outcome = Box<Result<HTTPResponse, Error>>()
        let ok = request("/ok")
        Thread.detachNewThread {
            outcome.value = Result { try cancellable.send(ok) }
            waiting.fulfill()
        }
        // Another host (same server, another name): not held by the pause.
        let elsewhere = request("/ok", base: "http://localhost:\(ServerBoundTests.port)")
        let other = within(60) { Result { try shared.send(elsewhere) } }
        XCTAssertEqual(try XCTUnwrap(other, "another host was held by the pause").get().status, 200)
        XCTAssertNil(outcome.value, "the paused host's request is still waiting")

        var withDeadline = request("/ok")
        withDeadline.deadline = Date().addingTimeInterval(30)
        XCTAssertThrowsError(try shared.send(withDeadline)) { error in
            guard let http = error as? HTTPError else { return XCTFail("\(error)") }
            XCTAssertEqual(http.kind, .timedOut(.deadline))
            XCTAssertTrue(http.message.contains("pause"), http.message)
        }

        flag.raise()
        wait(for: [waiting], timeout: 60)
        guard case .failure(let error)? = outcome.value else { return XCTFail("the paused request did not fail: \(String(describing: outcome.value))") }
        XCTAssertEqual((error as? HTTPError)?.kind, .cancelled, "\(error)")
    }

    func testRetryAfterBeyondMaxPauseNamesTheSetting() throws {
        XCTAssertThrowsError(try client(maxPause: 5).send(request("/retry-after/60/\(key)"))) { error in
            guard let http = error as? HTTPError else { return XCTFail("\(error)") }
            XCTAssertEqual(http.kind, .rateLimited(retryAfter: 60))
            XCTAssertTrue(http.message.contains("http.max_pause"), http.message)
        }
    }
}

private final class Box<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?
    var value: T? {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}

private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    func raise() { lock.lock(); raised = true; lock.unlock() }
    var isRaised: Bool { lock.lock(); defer { lock.unlock() }; return raised }
}
