import Foundation
import SedimentNetwork

/// Runs an operation again after a transient failure, as a ``RetryPolicy`` says: the one
/// retry loop of Sediment's HTTP requests, fetches and LFS downloads.
///
/// The operation signals a failure worth retrying by throwing a ``RetryableFailure`` whose
/// ``RetryableFailure/isTransient`` is true (a 429 or 5xx answer, a timeout, a connection
/// that broke). Any other error, and the last transient one once `maxAttempts` attempts have
/// been made, is rethrown as it is. Between attempts it waits the server's
/// ``RetryableFailure/retryAfter`` when there is one, else ``RetryPolicy/backoff(after:)``;
/// a wait the cancellation check or the deadline cuts short, or a server's wait longer than
/// ``RetryPolicy/maxRetryAfter`` (unless ``capsServerWaits``), ends the attempts with a
/// ``RetryInterruption`` carrying the last failure.
///
///     let retrying = Retrying(policy: policy, isCancelled: { flag.isRaised })
///     let result = try retrying.run { attempt in try repository.fetch(…) }
public struct Retrying {
    public var policy: RetryPolicy
    /// Checked before and during each wait: true ends the attempts.
    public var isCancelled: () -> Bool
    /// No wait may end after it.
    public var deadline: Date?
    /// True: a server's longer wait is shortened to ``RetryPolicy/maxRetryAfter``; false: it
    /// ends the attempts (``RetryInterruption/Reason/waitTooLong``).
    public var capsServerWaits: Bool

    public init(policy: RetryPolicy, isCancelled: @escaping () -> Bool = { false }, deadline: Date? = nil, capsServerWaits: Bool = false) {
        self.policy = policy
        self.isCancelled = isCancelled
        self.deadline = deadline
        self.capsServerWaits = capsServerWaits
    }

    /// Calls `body` with the attempt's number (from 1) until it returns, fails for good, or
    /// the attempts run out; `waited` hears of each wait, in seconds, before it starts.
    public func run<T>(_ body: (_ attempt: Int) throws -> T, waited: (Double) -> Void = { _ in }) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try body(attempt)
            } catch let failure as RetryableFailure where failure.isTransient && attempt < policy.maxAttempts {
                let wait = try delay(after: failure, attempt: attempt)
                waited(wait)
                try pause(wait, after: failure, attempt: attempt)
            }
        }
    }

    /// The wait before the next attempt.
    private func delay(after failure: RetryableFailure, attempt: Int) throws -> Double {
        guard let requested = failure.retryAfter else { return policy.backoff(after: attempt) }
        guard requested > policy.maxRetryAfter else { return requested }
        if capsServerWaits { return policy.maxRetryAfter }
        throw RetryInterruption(reason: .waitTooLong, wait: requested, last: failure, attempts: attempt)
    }

    /// Sleeps `seconds`, unless cancelled meanwhile; fails at once when the deadline would
    /// pass first.
    private func pause(_ seconds: Double, after failure: RetryableFailure, attempt: Int) throws {
        let end = Date().addingTimeInterval(seconds)
        if let deadline, deadline < end {
            throw RetryInterruption(reason: .deadline, wait: seconds, last: failure, attempts: attempt)
        }
        while true {
            if isCancelled() { throw RetryInterruption(reason: .cancelled, wait: seconds, last: failure, attempts: attempt) }
            let left = end.timeIntervalSinceNow
            if left <= 0 { return }
            Thread.sleep(forTimeInterval: min(left, HostLimiter.poll))
        }
    }
}

/// Why ``Retrying`` stopped before the attempts ran out, with the failure it would have retried.
public struct RetryInterruption: Error, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The work was cancelled while waiting.
        case cancelled
        /// The deadline would pass before the next attempt.
        case deadline
        /// The server asked to wait longer than ``RetryPolicy/maxRetryAfter``.
        case waitTooLong
    }

    public var reason: Reason
    /// The wait that was not (or not wholly) made, in seconds.
    public var wait: Double
    /// The failure of the last attempt.
    public var last: RetryableFailure
    /// The attempts made.
    public var attempts: Int

    public var description: String { String(describing: last) }
}
