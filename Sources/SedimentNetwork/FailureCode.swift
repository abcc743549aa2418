import Foundation

/// What kind of failure an error is, decided once where the error is made (from libgit2's
/// error, an HTTP status, a libcurl code or a transfer limit), so that no caller reads an
/// error's message to decide what to do with it.
///
/// An open set of codes, like GRDB's `ResultCode`: compare with `==`, switch over the static
/// members, or match an error directly:
///
///     do { try repository.fetch(…) }
///     catch FailureCode.notFound { … }
///     catch let error as GitError where error.code == .unauthorised { … }
public struct FailureCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The repository, page or object does not exist (HTTP 404 and 410, a missing repository).
    public static let notFound = FailureCode(rawValue: "not found")
    /// The server wants credentials, or refused the ones sent (HTTP 401, a rejected token).
    public static let unauthorised = FailureCode(rawValue: "unauthorised")
    /// The server knows who asks and refuses anyway (HTTP 403: a gated model whose
    /// conditions the account has not accepted).
    public static let gated = FailureCode(rawValue: "gated")
    /// The server asks to slow down (HTTP 429, or a 503 with `Retry-After`).
    public static let rateLimited = FailureCode(rawValue: "rate limited")
    /// The server failed (HTTP 5xx).
    public static let serverError = FailureCode(rawValue: "server error")
    /// No connection in time, or the deadline passed.
    public static let timeout = FailureCode(rawValue: "timeout")
    /// Connected, then no byte arrived for the stall timeout.
    public static let stalled = FailureCode(rawValue: "stalled")
    /// The connection could not be made or broke in the middle (refused, reset, a name that
    /// does not resolve, the stream ending early).
    public static let connection = FailureCode(rawValue: "connection")
    /// The server answered something the protocol does not allow (a bad pack, TLS failure,
    /// an unexpected status, a body over its bound).
    public static let `protocol` = FailureCode(rawValue: "protocol")
    /// This machine failed: a file, the disk, memory.
    public static let localIO = FailureCode(rawValue: "local I/O")
    /// The address policy kept the connection from an internal address.
    public static let refused = FailureCode(rawValue: "refused")
    /// The work was cancelled (the daemon is stopping).
    public static let cancelled = FailureCode(rawValue: "cancelled")
    /// Anything else.
    public static let other = FailureCode(rawValue: "other")

    /// The code of an HTTP status that is a failure; nil for 1xx, 2xx and 3xx.
    public init?(status: Int) {
        switch status {
        case 0..<400: return nil
        case 401, 407: self = .unauthorised
        case 403: self = .gated
        case 404, 410: self = .notFound
        case 408: self = .timeout
        case 429: self = .rateLimited
        case 500...599: self = .serverError
        default: self = .protocol
        }
    }

    /// Whether trying again later may succeed: the server was busy or failed, the connection
    /// broke, or a wait ran out (a deadline excepted: see ``RetryableFailure/isTransient``).
    public var isTransient: Bool {
        [.rateLimited, .serverError, .timeout, .stalled, .connection].contains(self)
    }

    public var description: String { rawValue }

    /// Whether `error` carries this code: `catch FailureCode.notFound { … }`.
    public static func ~= (code: FailureCode, error: Error) -> Bool {
        (error as? CodedFailure)?.code == code
    }
}

/// An error that says what kind of failure it is.
public protocol CodedFailure: Error {
    var code: FailureCode { get }
}

/// An error a retry policy can judge (``Retrying``): whether sending again may succeed, and
/// how long the server asked to wait first.
public protocol RetryableFailure: CodedFailure {
    /// Whether trying again may succeed. Usually ``FailureCode/isTransient``; false for a
    /// timeout that is the deadline itself.
    var isTransient: Bool { get }
    /// Seconds the server asked to wait before trying again (`Retry-After`), when it said.
    var retryAfter: TimeInterval? { get }
}

extension RetryableFailure {
    public var isTransient: Bool { code.isTransient }
    public var retryAfter: TimeInterval? { nil }
}
