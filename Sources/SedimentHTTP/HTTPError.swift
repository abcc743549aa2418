import CCurl
import Foundation
import SedimentNetwork

/// An HTTP request that could not be completed. Descriptions never contain a secret.
///
/// Its ``code`` says what kind of failure it is, decided when the error is made from the
/// libcurl code, the limit or the status that ended the request:
///
///     catch let error as HTTPError where error.code == .rateLimited { wait(error.retryAfter) }
public struct HTTPError: RetryableFailure, CustomStringConvertible, Sendable {
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

    /// What kind of failure this is.
    public var code: FailureCode
    public var kind: Kind
    public var method: String
    /// The URL, redacted.
    public var url: String
    public var message: String
    public var attempts: Int
    /// Whether sending again may succeed (a dropped connection, a timeout). Set by
    /// ``HTTPClient/stream(_:into:)``, which sends once; false after ``HTTPClient/send(_:)``,
    /// which has retried already, so that a caller's own retries do not multiply its attempts.
    public var retryable = false
    /// Seconds the server asked to wait before the next request (`Retry-After`), when it said.
    public var retryAfter: TimeInterval?

    public init(kind: Kind, method: String, url: String, message: String, attempts: Int, retryable: Bool = false,
                retryAfter: TimeInterval? = nil, code: FailureCode? = nil) {
        self.code = code ?? Self.code(of: kind)
        self.kind = kind
        self.method = method
        self.url = url
        self.message = message
        self.attempts = attempts
        self.retryable = retryable
        if case .rateLimited(let wait) = kind { self.retryAfter = retryAfter ?? wait } else { self.retryAfter = retryAfter }
    }

    public var isTransient: Bool { retryable }

    public var description: String {
        (method.isEmpty ? "" : method + " ") + "\(url): \(message)" + (attempts > 1 ? " (after \(attempts) attempts)" : "")
    }
}

extension HTTPError {
    /// The code of a failure of this kind.
    public static func code(of kind: Kind) -> FailureCode {
        switch kind {
        case .transport(let curl): return code(curl: curl)
        case .tooLarge: return .protocol
        case .rateLimited: return .rateLimited
        case .timedOut(.stall): return .stalled
        case .timedOut: return .timeout
        case .refused: return .refused
        case .cancelled: return .cancelled
        }
    }

    /// The code of a libcurl result (`CURLcode`): <https://curl.se/libcurl/c/libcurl-errors.html>.
    public static func code(curl: Int32) -> FailureCode {
        func any(_ codes: [CURLcode]) -> Bool { codes.contains { Int32($0.rawValue) == curl } }
        if any([CURLE_OPERATION_TIMEDOUT]) { return .timeout }
        if any([CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_RECV_ERROR, CURLE_SEND_ERROR,
                CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM]) { return .connection }
        if any([CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
                CURLE_SSL_CACERT_BADFILE, CURLE_TOO_MANY_REDIRECTS, CURLE_UNSUPPORTED_PROTOCOL, CURLE_WEIRD_SERVER_REPLY,
                CURLE_BAD_CONTENT_ENCODING, CURLE_URL_MALFORMAT, CURLE_HTTP3]) { return .protocol }
        if any([CURLE_WRITE_ERROR, CURLE_READ_ERROR, CURLE_OUT_OF_MEMORY, CURLE_FAILED_INIT]) { return .localIO }
        return .other
    }
}

/// Turns a libcurl result other than `CURLE_OK` into an ``HTTPError`` naming the call
/// (`set CURLOPT_URL`, `read CURLINFO_RESPONSE_CODE`) and the URL, as errors show it.
///
/// Every `curl_easy_setopt` and `curl_easy_getinfo` result goes through it: an option libcurl
/// refuses (an unsupported protocol, memory) fails the request instead of sending another.
func check(_ result: CURLcode, operation: String, url: String) throws {
    guard result != CURLE_OK else { return }
    throw HTTPError(kind: .transport(code: Int32(result.rawValue)), method: "", url: url,
                    message: "libcurl could not \(operation): \(String(cString: curl_easy_strerror(result)))", attempts: 1)
}
