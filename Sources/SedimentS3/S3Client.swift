import Crypto
import Foundation
import SedimentHTTP
import SedimentRedaction
import SedimentStore
import Synchronization

/// A client of one bucket of an S3-compatible service, on Sediment's ``HTTPClient`` (libcurl):
/// path-style URLs against the endpoint, requests signed by libcurl itself (Signature
/// Version 4), the shared retry policy (503 SlowDown, 500, dropped connections and stalls are
/// sent again with backoff). It counts the requests it sends, by operation.
///
/// Calls block the calling thread; safe from several threads.
public final class S3Client: Sendable {
    public let settings: S3Settings
    let http: HTTPClient
    private let counts = Mutex<[String: Int]>([:])

    public init(settings: S3Settings) {
        self.settings = settings
        http = HTTPClient(configuration: settings.http)
    }

    public var bucket: String { settings.location.bucket }

    /// Requests sent so far (every attempt counts), all operations together.
    public var requestCount: Int { counts.withLock { $0.values.reduce(0, +) } }

    /// Requests sent so far for `operation` (`PutObject`, `UploadPart`, `ListParts`…).
    public func requestCount(_ operation: String) -> Int { counts.withLock { $0[operation] ?? 0 } }

    func count(_ operation: String, _ attempts: Int) {
        counts.withLock { $0[operation, default: 0] += attempts }
    }

    /// One request parameter of a query string.
    typealias Query = [(String, String)]

    /// The URL of `key` (empty: the bucket) with `query`, encoded and sorted as the signature's
    /// canonical request wants them, so that what libcurl signs is what S3 computes.
    func url(_ key: String, query: Query = []) -> String {
        var url = settings.endpoint + "/" + bucket
        if !key.isEmpty { url += "/" + key.split(separator: "/", omittingEmptySubsequences: false).map { Self.encode(String($0)) }.joined(separator: "/") }
        if !query.isEmpty {
            url += "?" + query.map { (Self.encode($0.0), Self.encode($0.1)) }.sorted { $0 < $1 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        }
        return url
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters (upper-case hex).
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if S3Location.isKeyByte(byte) || byte == UInt8(ascii: "~") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// A request for `operation` on `key`, signed, with the session token and the payload's
    /// hash (`payloadHash`: hex SHA-256, or `UNSIGNED-PAYLOAD`) as headers.
    func request(_ method: String, _ key: String, query: Query = [], payloadHash: String? = nil) -> HTTPRequest {
        var request = HTTPRequest(method: method, url: url(key, query: query))
        let credentials = settings.credentials
        request.sign(with: AWSSigning(region: settings.region, service: "s3", accessKeyID: credentials.accessKeyID,
                                      secretAccessKey: credentials.secretAccessKey))
        if let token = credentials.sessionToken {
            request.headers.set("x-amz-security-token", token)
            request.secrets.append(token)
        }
        request.headers.set("x-amz-content-sha256", payloadHash ?? Self.emptyHash)
        return request
    }

    static let emptyHash = ContentID.emptyHex
    static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// Sends `request` (retried as the policy says) and returns the answer when its status is
    /// one of `accepted`; throws ``S3Error`` otherwise, naming `operation` and `key`.
    @discardableResult
    func send(_ request: HTTPRequest, _ operation: String, key: String, accepting accepted: Set<Int> = [200, 204, 206]) throws -> HTTPResponse {
        let response: HTTPResponse
        do {
            response = try http.send(request)
        } catch let error as HTTPError {
            count(operation, error.attempts)
            throw S3Error(operation: operation, bucket: bucket, key: key, status: nil, code: nil,
                          message: Redaction.redact(error.message, secrets: request.secrets), attempts: error.attempts)
        }
        count(operation, response.attempts)
        guard accepted.contains(response.status) else { throw failure(response, operation, key: key, secrets: request.secrets) }
        return response
    }

    /// The error for an answer that is not a success: its status, and S3's code and message.
    func failure(_ response: HTTPResponse, _ operation: String, key: String, secrets: [String]) -> S3Error {
        let xml = S3XML.parse(response.body)
        let code = xml?.value("Code")
        var message = xml?.value("Message") ?? String(decoding: response.body.prefix(200), as: UTF8.self)
        message = Redaction.redact(message.trimmingCharacters(in: .whitespacesAndNewlines), secrets: secrets)
        return S3Error(operation: operation, bucket: bucket, key: key, status: response.status, code: code, message: message,
                       attempts: response.attempts)
    }
}

extension ContentID {
    /// The SHA-256 of nothing, in hex.
    static let emptyHex = ContentID.of(Data()).hex
}
