import Foundation

/// When and how long to wait before sending a request again.
///
/// Connection errors and the statuses 408, 425, 429, 500, 502, 503 and 504 are retried, up to
/// `maxAttempts` sends in all. The wait is the server's `Retry-After` (seconds or an HTTP
/// date) or its rate-limit reset (`RateLimit: …, reset=N` / `t=N`, `RateLimit-Reset`,
/// `X-RateLimit-Reset`) when it gives one, else exponential backoff with jitter:
/// `baseDelay · 2^(attempt−1)`, capped at `maxDelay`, then a random half of it added to the
/// other half (so clients that failed together do not retry together).
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int = 5
    public var baseDelay: Double = 0.5
    public var maxDelay: Double = 60
    /// The longest wait a server may impose, in seconds (`http.max_pause`): a `Retry-After`
    /// asking for longer fails the request instead, and a rate-limit reset further away
    /// pauses its host this long only.
    public var maxRetryAfter: Double = 900

    public static let retryableStatuses: Set<Int> = [408, 425, 429, 500, 502, 503, 504]

    public init(maxAttempts: Int = 5, baseDelay: Double = 0.5, maxDelay: Double = 60, maxRetryAfter: Double = 900) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// The backoff before attempt `attempt + 1`, with jitter.
    public func backoff(after attempt: Int) -> Double {
        let exponential = min(maxDelay, baseDelay * pow(2, Double(max(0, attempt - 1))))
        return exponential / 2 + Double.random(in: 0...(exponential / 2))
    }

    /// The wait a response asks for, in seconds, if it asks for one.
    public static func requestedWait(_ headers: HTTPHeaders, now: Date = Date()) -> Double? {
        if let value = headers["Retry-After"]?.trimmingCharacters(in: .whitespaces) {
            if let wait = seconds(value) { return wait }
            if let date = httpDate(value) { return max(0, date.timeIntervalSince(now)) }
        }
        return rateLimitReset(headers, now: now)
    }

    /// The rate-limit reset the headers announce when no requests remain, in seconds.
    public static func rateLimitReset(_ headers: HTTPHeaders, now: Date = Date()) -> Double? {
        // IETF draft: `RateLimit: limit=100, remaining=0, reset=30`, or the structured form
        // `RateLimit: "default";r=0;t=30`, with `RateLimit-Policy` beside it.
        if let value = headers["RateLimit"] {
            var remaining: Double?, reset: Double?
            for item in value.split(whereSeparator: { $0 == "," || $0 == ";" }) {
                let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                guard pair.count == 2, let number = seconds(pair[1]) else { continue }
                switch pair[0] {
                case "remaining", "r": remaining = number
                case "reset", "t": reset = number
                default: break
                }
            }
            if remaining == 0, let reset { return max(0, reset) }
        }
        let remaining = headers["RateLimit-Remaining"] ?? headers["X-RateLimit-Remaining"]
        if let remaining, seconds(remaining) == 0,
           let resetText = headers["RateLimit-Reset"] ?? headers["X-RateLimit-Reset"],
           let reset = seconds(resetText) {
            // Some servers send an epoch time rather than a number of seconds.
            return reset > 1_000_000_000 ? max(0, reset - now.timeIntervalSince1970) : max(0, reset)
        }
        return nil
    }

    /// The largest number of seconds a header is read as (about 31,700 years).
    public static let longestHeaderSeconds: Double = 1e12

    /// A number of seconds as a header writes it: decimal digits, perhaps with a fraction,
    /// at most ``longestHeaderSeconds``; nil for anything else. `Double(_:)` alone would
    /// accept `inf`, `nan`, `1e400` and `0x1p60`, and the client turns a wait into an `Int`.
    static func seconds<S: StringProtocol>(_ text: S) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }) else { return nil }
        return min(Double(trimmed) ?? longestHeaderSeconds, longestHeaderSeconds)
    }

    /// Parses an HTTP date (RFC 9110: IMF-fixdate, and the obsolete RFC 850 and asctime forms).
    public static func httpDate(_ text: String) -> Date? {
        // An HTTP date is short printable ASCII. Anything else never reaches DateFormatter,
        // which stops the process on some non-ASCII text (a combining mark after a digit).
        guard text.utf8.count <= 64, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
