import Foundation
import SedimentHTTP

/// An S3 request that could not succeed: the operation, the bucket and key, and the cause
/// (the service's status, code and message, or the transport failure). Built from redacted
/// parts only: it never holds the secret key or the session token.
public struct S3Error: Error, CustomStringConvertible, Sendable {
    /// The S3 operation: `PutObject`, `GetObject`, `UploadPart`, `ListObjectsV2`…
    public let operation: String
    public let bucket: String
    /// The key, or the prefix of a listing.
    public let key: String
    /// The HTTP status of the last answer; nil when none came.
    public let status: Int?
    /// S3's error code (`NoSuchKey`, `SlowDown`, `AccessDenied`…), when it gave one.
    public let code: String?
    public let message: String
    /// How many times the request was sent.
    public let attempts: Int

    public init(operation: String, bucket: String, key: String, status: Int?, code: String?, message: String, attempts: Int) {
        self.operation = operation
        self.bucket = bucket
        self.key = key
        self.status = status
        self.code = code
        self.message = message
        self.attempts = attempts
    }

    /// Whether trying again later may succeed: no answer, or a 5xx/429 answer (the client has
    /// retried already, with backoff). A 4xx answer (denied, missing, refused) is permanent.
    public var isTransient: Bool {
        guard let status else { return true }
        return status >= 500 || status == 429 || status == 408
    }

    public var description: String {
        var cause = status.map { "HTTP \($0)" } ?? ""
        if let code { cause += (cause.isEmpty ? "" : " ") + code }
        if !message.isEmpty { cause += (cause.isEmpty ? "" : ": ") + message }
        return "S3 \(operation) of s3://\(bucket)/\(key) failed: \(cause)" + (attempts > 1 ? " (after \(attempts) attempts)" : "")
    }
}
