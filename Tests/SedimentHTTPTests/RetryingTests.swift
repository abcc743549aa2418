import Foundation
import SedimentHTTP
import SedimentNetwork
import XCTest

/// The one retry loop: which failures it retries, how often, how long it waits, and what
/// stops it.
final class RetryingTests: XCTestCase {
    struct Failure: RetryableFailure, Equatable {
        var code: FailureCode
        var retryAfter: TimeInterval?
    }

    /// Short waits, so that the tests do not sleep: what is checked is the waits asked for.
    let policy = RetryPolicy(maxAttempts: 4, baseDelay: 0.001, maxDelay: 0.002, maxRetryAfter: 0.05)

    func testTransientFailuresAreRetriedUpToMaxAttempts() {
        for code in [FailureCode.rateLimited, .serverError, .timeout, .stalled, .connection] {
            var attempts: [Int] = []
            XCTAssertThrowsError(try Retrying(policy: policy).run { attempt -> Int in
                attempts.append(attempt)
                throw Failure(code: code)
            }) { error in
                XCTAssertEqual(error as? Failure, Failure(code: code), "the last failure is rethrown as it is")
            }
            XCTAssertEqual(attempts, [1, 2, 3, 4], "\(code)")
        }
    }

    func testSuccessAfterFailuresReturns() throws {
        var calls = 0
        let value = try Retrying(policy: policy).run { attempt -> String in
            calls += 1
            if attempt < 3 { throw Failure(code: .serverError) }
            return "third"
        }
        XCTAssertEqual(value, "third")
        XCTAssertEqual(calls, 3)
    }

    func testPermanentFailuresStopAtOnce() {
        for code in [FailureCode.notFound, .unauthorised, .gated, .protocol, .localIO, .refused, .cancelled, .other] {
            var calls = 0
            XCTAssertThrowsError(try Retrying(policy: policy).run { _ -> Int in
                calls += 1
                throw Failure(code: code)
            })
            XCTAssertEqual(calls, 1, "\(code) is not retried")
        }
        // An error that says nothing of itself is not retried either.
        var calls = 0
        XCTAssertThrowsError(try Retrying(policy: policy).run { _ -> Int in
            calls += 1
            throw CocoaError(.fileNoSuchFile)
        })
        XCTAssertEqual(calls, 1)
    }

    func testCancellationStopsTheWaits() {
        var calls = 0
        XCTAssertThrowsError(try Retrying(policy: policy, isCancelled: { true }).run { _ -> Int in
            calls += 1
            throw Failure(code: .serverError)
        }) { error in
            guard let interruption = error as? RetryInterruption else { return XCTFail("\(error)") }
            XCTAssertEqual(interruption.reason, .cancelled)
            XCTAssertEqual(interruption.last as? Failure, Failure(code: .serverError))
            XCTAssertEqual(interruption.attempts, 1)
        }
        XCTAssertEqual(calls, 1, "no attempt after the cancellation")
    }

    func testRetryAfterIsTheWait() throws {
        var waits: [Double] = []
        var calls = 0
        _ = try Retrying(policy: policy).run({ _ -> Int in
            calls += 1
            if calls == 1 { throw Failure(code: .rateLimited, retryAfter: 0.03) }
            if calls == 2 { throw Failure(code: .serverError) }
            return 0
        }, waited: { waits.append($0) })
        XCTAssertEqual(waits.count, 2)
        XCTAssertEqual(waits[0], 0.03, "the server's Retry-After, not the backoff")
        XCTAssertLessThanOrEqual(waits[1], policy.maxDelay, "no Retry-After: the backoff")
    }

    func testAServerWaitBeyondTheLimitFailsOrIsCapped() throws {
        var calls = 0
        XCTAssertThrowsError(try Retrying(policy: policy).run { _ -> Int in
            calls += 1
            throw Failure(code: .rateLimited, retryAfter: 3600)
        }) { error in
            XCTAssertEqual((error as? RetryInterruption)?.reason, .waitTooLong)
            XCTAssertEqual((error as? RetryInterruption)?.wait, 3600)
        }
        XCTAssertEqual(calls, 1)

        var waits: [Double] = []
        calls = 0
        _ = try Retrying(policy: policy, capsServerWaits: true).run({ _ -> Int in
            calls += 1
            if calls == 1 { throw Failure(code: .rateLimited, retryAfter: 3600) }
            return 0
        }, waited: { waits.append($0) })
        XCTAssertEqual(waits, [policy.maxRetryAfter], "capped at max_pause")
    }

    func testTheDeadlineEndsTheWaits() {
        let slow = RetryPolicy(maxAttempts: 4, baseDelay: 600, maxDelay: 600, maxRetryAfter: 900)
        var calls = 0
        XCTAssertThrowsError(try Retrying(policy: slow, deadline: Date().addingTimeInterval(60)).run { _ -> Int in
            calls += 1
            throw Failure(code: .connection)
        }) { error in
            XCTAssertEqual((error as? RetryInterruption)?.reason, .deadline, "a wait past the deadline is not started")
        }
        XCTAssertEqual(calls, 1)
    }
}
