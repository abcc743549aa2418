import Foundation

/// An HTTP request that could not be completed. Descriptions never contain a secret.
public struct HTTPError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// No response: connection refused, DNS failure, timeout, TLS failure (libcurl's code).
        case transport(code: Int32)
        /// The response body exceeded the configured maximum.
        case tooLarge(limit: Int)
        /// The server asked to wait longer than the client is willing to (`Retry-After`).
        case rateLimited(retryAfter: Double)
        /// A limit stopped the transfer: no connection in time, no byte for the stall
        /// timeout, or the request's deadline.
        case timedOut(Timeout)
        /// The URL came from hub data and every address its host resolved to is internal
        /// (loopback, private, link-local, the metadata address), outside `allow_networks`.
        case refused(reason: String)
        /// The work the request served was cancelled (``HTTPClient/cancellable(by:)``).
        case cancelled
    }

    /// Which limit stopped a transfer.
    public enum Timeout: Sendable, Equatable {
        case connect(seconds: Double)
        case stall(seconds: Double)
        case deadline
    }

    public var kind: Kind
    public var method: String
    /// The URL, redacted.
    public var url: String
    public var message: String
    public var attempts: Int
    /// Whether sending again may succeed (a dropped connection, a timeout).
    public var retryable = false

    public var description: String {
        "\(method) \(url): \(message)" + (attempts > 1 ? " (after \(attempts) attempts)" : "")
    }
}
