import Foundation
import SedimentNetwork

/// HTTP header fields: ordered, names compared case-insensitively.
public struct HTTPHeaders: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public static func == (a: HTTPHeaders, b: HTTPHeaders) -> Bool {
        a.fields.map { $0.name.lowercased() + ":" + $0.value } == b.fields.map { $0.name.lowercased() + ":" + $0.value }
    }

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        let lower = name.lowercased()
        return fields.first { $0.name.lowercased() == lower }?.value
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        let lower = name.lowercased()
        return fields.filter { $0.name.lowercased() == lower }.map(\.value)
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    /// Replaces every value of `name` with `value`.
    public mutating func set(_ name: String, _ value: String) {
        let lower = name.lowercased()
        fields.removeAll { $0.name.lowercased() == lower }
        fields.append((name: name, value: value))
    }
}

/// Validators of a previous response, for a conditional request.
public struct Validators: Sendable, Equatable, Codable {
    public var etag: String?
    public var lastModified: String?

    public init(etag: String? = nil, lastModified: String? = nil) {
        self.etag = etag
        self.lastModified = lastModified
    }

    public var isEmpty: Bool { etag == nil && lastModified == nil }
}

/// One HTTP request.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: HTTPHeaders
    public var body: Data?
    /// When set, the request is conditional (`If-None-Match`, `If-Modified-Since`); an
    /// unchanged resource answers 304 with no body.
    public var validators: Validators?
    /// Values that must never appear in an error or a log line (tokens); the client also
    /// removes any `user:password@` from URLs it reports.
    public var secrets: [String]
    /// When the request must be over, retries included (a visit's deadline); nil: only the
    /// client's own limits apply.
    public var deadline: Date?
    /// For a URL that came from hub data (an LFS `href`, a `.lfsconfig` URL): the addresses it
    /// may not reach, checked on the address connected to (redirects included). Nil for a URL
    /// the operator configured.
    public var addressPolicy: AddressPolicy?
    /// What the answer is, for the size its body may have (``ResponseLimits``); nil: any
    /// body up to ``HTTPClient/Configuration/maxBodyBytes``.
    public var kind: ResponseKind?
    /// A body read from a local file as it is sent (memory stays flat whatever its size);
    /// used instead of ``body``.
    public var bodyFile: HTTPFileBody?
    /// Signs the request with AWS Signature Version 4, computed by libcurl itself
    /// (`CURLOPT_AWS_SIGV4`); its secret key is added to ``secrets``.
    public private(set) var signing: AWSSigning?

    public init(method: String = "GET", url: String, headers: HTTPHeaders = [:], body: Data? = nil,
                validators: Validators? = nil, secrets: [String] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.validators = validators
        self.secrets = secrets
    }

    /// Has libcurl sign the request with `signing`, and registers its secret key as a secret.
    public mutating func sign(with signing: AWSSigning) {
        self.signing = signing
        secrets.append(signing.secretAccessKey)
    }

    /// Adds `Authorization: Bearer <token>` and registers the token as a secret.
    public mutating func authorize(bearer token: String) {
        headers.set("Authorization", "Bearer \(token)")
        secrets.append(token)
    }
}

/// A request body read from part of a local file: `length` bytes from `offset`.
public struct HTTPFileBody: Sendable {
    public var path: String
    public var offset: Int64
    public var length: Int64

    public init(path: String, offset: Int64 = 0, length: Int64) {
        self.path = path
        self.offset = offset
        self.length = length
    }
}

/// AWS Signature Version 4 as libcurl computes it (`CURLOPT_AWS_SIGV4`,
/// <https://curl.se/libcurl/c/CURLOPT_AWS_SIGV4.html>): the provider string
/// (`aws:amz:REGION:SERVICE`) and the key pair. The payload's hash is the request's
/// `x-amz-content-sha256` header when it has one.
public struct AWSSigning: Sendable {
    public var provider: String
    public var accessKeyID: String
    public var secretAccessKey: String

    public init(region: String, service: String, accessKeyID: String, secretAccessKey: String) {
        provider = "aws:amz:\(region):\(service)"
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
    }
}

/// The final response to a request, after redirects and retries.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data
    /// The URL that answered (after redirects), redacted.
    public var url: String
    /// How many times the request was sent.
    public var attempts: Int
    /// Seconds spent waiting between attempts (backoff, `Retry-After`, rate limits).
    public var waited: Double
    /// The server said the cached copy is current (304); `body` is that copy.
    public var revalidated = false

    public var isSuccess: Bool { (200..<300).contains(status) }
    public var isNotModified: Bool { status == 304 }

    /// The validators to send next time for a conditional request.
    public var validators: Validators {
        Validators(etag: headers["ETag"], lastModified: headers["Last-Modified"])
    }

    /// The URL of the `rel="next"` entry of the `Link` header (RFC 8288), if any.
    public var nextLink: String? {
        for value in headers.values("Link") {
            for part in value.split(separator: ",") {
                let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                guard let target = pieces.first, target.hasPrefix("<"), target.hasSuffix(">") else { continue }
                let isNext = pieces.dropFirst().contains { parameter in
                    let normalized = parameter.replacingOccurrences(of: " ", with: "").lowercased()
                    return normalized == "rel=\"next\"" || normalized == "rel=next"
                }
                if isNext { return String(target.dropFirst().dropLast()) }
            }
        }
        return nil
    }
}
