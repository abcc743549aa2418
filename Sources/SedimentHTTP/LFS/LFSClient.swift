import Foundation
import SedimentNetwork
import SedimentRedaction

/// A client of the Git LFS batch API (download operation, `basic` transfer), on
/// ``HTTPClient``: <https://github.com/git-lfs/git-lfs/blob/main/docs/api/batch.md>.
///
/// `batch` posts the objects in requests of at most 100 and returns one answer per object;
/// the whole request is retried as ``HTTPClient/send(_:)`` retries (429, 5xx, `Retry-After`,
/// per-host limits). `download` follows one action, streaming the content into a receiver,
/// from an offset with an HTTP `Range` request when resuming. Blocks the calling thread.
public final class LFSClient: Sendable {
    public let http: HTTPClient
    private let clock: @Sendable () -> Date
    /// Objects per batch request (the API's customary maximum).
    public static let batchSize = 100

    public init(http: HTTPClient, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.http = http
        self.clock = clock
    }

    /// Asks `endpoint` how to download `objects`. `authorization` is a complete
    /// `Authorization` header value for the LFS server (never logged).
    /// `deadline` ends the requests (and their retries) when it passes.
    public func batch(_ objects: [LFSObjectRequest], endpoint: LFSEndpoint, authorization: String? = nil,
                      deadline: Date? = nil) throws -> [LFSBatchAnswer] {
        var answers: [LFSBatchAnswer] = []
        var start = 0
        while start < objects.count {
            let chunk = Array(objects[start..<min(objects.count, start + Self.batchSize)])
            answers += try batchRequest(chunk, endpoint: endpoint, authorization: authorization, deadline: deadline)
            start += Self.batchSize
        }
        return answers
    }

    private func batchRequest(_ objects: [LFSObjectRequest], endpoint: LFSEndpoint, authorization: String?,
                              deadline: Date?) throws -> [LFSBatchAnswer] {
        let body: [String: Any] = [
            "operation": "download",
            "transfers": ["basic"],
            "hash_algo": "sha256",
            "objects": objects.map { ["oid": $0.oid, "size": $0.size] as [String: Any] },
        ]
        var request = HTTPRequest(method: "POST", url: endpoint.batchURL,
                                  headers: ["Accept": "application/vnd.git-lfs+json", "Content-Type": "application/vnd.git-lfs+json"],
                                  body: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
        request.deadline = deadline
        request.kind = .batch
        request.addressPolicy = endpoint.addressPolicy
        if let authorization {
            request.headers.set("Authorization", authorization)
            request.secrets.append(authorization)
            if let credentials = authorization.split(separator: " ").last { request.secrets.append(String(credentials)) }
        }
        let shown = Self.shown(endpoint.batchURL, secrets: request.secrets)
        let response: HTTPResponse
        do {
            response = try http.send(request)
        } catch let error as HTTPError {
            throw LFSError(kind: .refused(status: 0), url: shown, message: error.message + (error.attempts > 1 ? " (after \(error.attempts) attempts)" : ""))
        }
        let received = clock()
        guard response.isSuccess else {
            throw LFSError(kind: .refused(status: response.status), url: shown,
                           message: "the batch request was refused with HTTP \(response.status)" + Self.serverMessage(response.body, secrets: request.secrets))
        }
        return try Self.answers(to: objects, body: response.body, received: received, secrets: request.secrets, shown: shown,
                                jsonLimits: http.configuration.limits.json)
    }

    /// The answers of a batch response `body` to `objects`, one per object (an object the
    /// response does not mention gets an error); `received` is when it arrived (for
    /// `expires_in`), `secrets` are kept out of the servers' messages, `shown` names the URL.
    /// The JSON is counted within `jsonLimits` before it is decoded.
    static func answers(to objects: [LFSObjectRequest], body: Data, received: Date, secrets: [String], shown: String,
                        jsonLimits: BoundedJSON.Limits = BoundedJSON.Limits()) throws -> [LFSBatchAnswer] {
        let decoded: Any?
        do {
            decoded = try BoundedJSON.parse(body, limits: jsonLimits)
        } catch let refusal as BoundedJSON.Refusal {
            throw LFSError(kind: .malformed, url: shown, message: "the batch answer \(refusal.problem)")
        }
        guard let object = decoded as? [String: Any], let items = object["objects"] as? [[String: Any]] else {
            throw LFSError(kind: .malformed, url: shown, message: "the batch answer is not the LFS batch API's JSON (no \"objects\" list)")
        }
        if let transfer = object["transfer"] as? String, transfer != "basic" {
            throw LFSError(kind: .malformed, url: shown, message: "the server chose the \"\(transfer)\" transfer; only \"basic\" is supported")
        }
        var answers: [LFSBatchAnswer] = []
        let wanted = Dictionary(objects.map { ($0.oid, $0.size) }, uniquingKeysWith: { a, _ in a })
        var answered = Set<String>()
        for item in items {
            guard let oid = (item["oid"] as? String)?.lowercased(), let size = wanted[oid] else { continue }
            answered.insert(oid)
            if let error = item["error"] as? [String: Any] {
                let code = (error["code"] as? Int) ?? 0
                answers.append(LFSBatchAnswer(oid: oid, size: size, action: nil,
                                              error: (code, Redaction.redact((error["message"] as? String) ?? "no message", secrets: secrets))))
                continue
            }
            let actions = item["actions"] as? [String: Any]
            guard let download = actions?["download"] as? [String: Any], let href = download["href"] as? String,
                  let url = URL(string: href), ["http", "https"].contains(url.scheme?.lowercased() ?? "") else {
                answers.append(LFSBatchAnswer(oid: oid, size: size, action: nil,
                                              error: (0, "the server gave no usable download action for the object")))
                continue
            }
            let header = (download["header"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
            var expiresAt: Date?
            if let seconds = (download["expires_in"] as? NSNumber)?.doubleValue {
                expiresAt = received.addingTimeInterval(seconds)
            }
            if let text = download["expires_at"] as? String, let date = Self.parseTimestamp(text) {
                expiresAt = min(expiresAt ?? date, date)
            }
            answers.append(LFSBatchAnswer(oid: oid, size: size, action: LFSAction(href: href, header: header, expiresAt: expiresAt), error: nil))
        }
        for object in objects where !answered.contains(object.oid) {
            answers.append(LFSBatchAnswer(oid: object.oid, size: object.size, action: nil, error: (0, "the batch answer does not mention the object")))
        }
        return answers
    }

    /// Follows `action`, streaming the object into `receiver`; from byte `offset` on (an HTTP
    /// `Range` request) when it is above 0. Sent once: the caller decides how to go on. The
    /// response's status says what the server did: 206 (the range), 200 (the whole object,
    /// a server that ignores `Range`), or an error whose bounded body is in the response.
    /// `deadline` ends the transfer when it passes.
    /// `addressPolicy` keeps an `href` from hub data off internal addresses.
    public func download(_ action: LFSAction, from offset: Int64, into receiver: HTTPBodyReceiver, deadline: Date? = nil,
                         addressPolicy: AddressPolicy? = nil) throws -> HTTPResponse {
        var request = HTTPRequest(url: action.href)
        request.deadline = deadline
        request.addressPolicy = addressPolicy
        for (name, value) in action.header.sorted(by: { $0.key < $1.key }) {
            request.headers.set(name, value)
            request.secrets.append(value)
            if let last = value.split(separator: " ").last, last.count >= 8 { request.secrets.append(String(last)) }
        }
        // Signed URLs carry their signature in the query: never show it.
        if let query = URLComponents(string: action.href)?.percentEncodedQuery, !query.isEmpty { request.secrets.append(query) }
        if offset > 0 { request.headers.set("Range", "bytes=\(offset)-") }
        return try http.stream(request, into: receiver)
    }

    /// `url` as errors show it: redacted, without its query.
    public static func shown(_ url: String, secrets: [String] = []) -> String {
        let bare = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        return Redaction.redact(bare, secrets: secrets)
    }

    /// ": <message>" from an LFS error body (`{"message": …}`), or "" when it has none.
    static func serverMessage(_ body: Data, secrets: [String]) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
              let message = object["message"] as? String, !message.isEmpty else { return "" }
        return ": " + Redaction.redact(String(message.prefix(300)), secrets: secrets)
    }

    /// Parses an RFC 3339 timestamp, with or without fractional seconds.
    ///
    /// Only text of that exact shape reaches ISO8601DateFormatter, with the fraction cut to
    /// milliseconds: ICU's parser stops the process (SIGFPE) on some malformed timestamps
    /// with a long fraction, and the timestamp comes from the server.
    static func parseTimestamp(_ text: String) -> Date? {
        let shape = #"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"#
        guard text.utf8.count <= 256, text.range(of: shape, options: .regularExpression) != nil else { return nil }
        var text = text.uppercased()
        if let dot = text.firstIndex(of: ".") {
            let digits = text[text.index(after: dot)...].prefix { $0.isASCII && $0.isNumber }
            text.replaceSubrange(dot..<digits.endIndex, with: "." + digits.prefix(3))
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
