import CCurl
import Foundation
import SedimentNetwork
import SedimentRedaction

/// An HTTP client on libcurl for the hub adapters: timeouts, bounded redirects, compressed
/// responses, TLS verification, retries with backoff and jitter, `Retry-After` and rate-limit
/// headers, conditional requests, a per-host concurrency limit, and errors with no secrets.
///
/// `send` blocks the calling thread (libcurl's easy interface): call it from Sediment's own
/// threads, not from Swift's cooperative pool. It is safe to call from several threads.
public final class HTTPClient: Sendable {
    /// Settings with defaults suited to public hub APIs.
    public struct Configuration: Sendable {
        /// Seconds to wait for a connection.
        public var connectTimeout: Double = 30
        /// The whole request, body included (streamed transfers excepted).
        public var totalTimeout: Double = 300
        public var maxRedirects: Int = 5
        public var perHostConcurrency: Int = 2
        /// Bodies larger than this fail the request (streamed bodies have no limit); a request
        /// of a ``ResponseKind`` has the lower bound of its kind in ``limits``.
        public var maxBodyBytes: Int = 512 << 20
        /// The bounds of listing pages and LFS batch answers, after decompression.
        public var limits = ResponseLimits()
        /// A transfer fails when it receives nothing for this many seconds (the only limit of
        /// a streamed transfer, ``HTTPClient/stream(_:into:)``, besides the request's deadline).
        public var stallTimeout: Double = 60
        public var retry = RetryPolicy()
        public var userAgent = "sediment/0.1.0"

        public init() {}
    }

    public let configuration: Configuration
    private let limiter: HostLimiter
    private let handles: HandlePool
    /// True when the work this client serves is cancelled: waits end and transfers stop.
    private let isCancelled: @Sendable () -> Bool
    /// Pauses shared with other processes (the workers of a fleet), when there are any.
    private let shared: (any SharedHostPauses)?

    private static let globalInit: Void = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }()

    public init(configuration: Configuration = Configuration()) {
        _ = Self.globalInit
        self.configuration = configuration
        limiter = HostLimiter(perHost: configuration.perHostConcurrency)
        handles = HandlePool()
        isCancelled = { false }
        shared = nil
    }

    private init(sharing client: HTTPClient, isCancelled: @escaping @Sendable () -> Bool, shared: (any SharedHostPauses)?) {
        configuration = client.configuration
        limiter = client.limiter
        handles = client.handles
        self.isCancelled = isCancelled
        self.shared = shared
    }

    /// This client, also holding back a host while another process was told to pause it, and
    /// telling them of every pause a server asks of it (a rate limit spent, `Retry-After`).
    public func sharingPauses(through pauses: any SharedHostPauses) -> HTTPClient {
        HTTPClient(sharing: self, isCancelled: isCancelled, shared: pauses)
    }

    /// This client, sharing its per-host limits and pauses and its connections, for work
    /// that `isCancelled` can stop: once it returns true, a request waiting for its host's
    /// pause or for a retry gives up, and a transfer in progress stops, with
    /// ``HTTPError/Kind/cancelled``.
    public func cancellable(by isCancelled: @escaping @Sendable () -> Bool) -> HTTPClient {
        HTTPClient(sharing: self, isCancelled: isCancelled, shared: shared)
    }

    /// Sends `request`, retrying as ``RetryPolicy`` says (through ``Retrying``), and returns the
    /// final response, whatever its status. Throws ``HTTPError`` when no usable response came.
    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        let host = HostLimiter.host(of: request.url)
        let shownURL = Redaction.redact(request.url, secrets: request.secrets)
        let policy = configuration.retry
        var waited = 0.0
        var attempt = 0
        func failed(_ failure: TransportFailure) -> HTTPError {
            HTTPError(kind: failure.kind, method: request.method, url: shownURL,
                      message: Redaction.redact(failure.message, secrets: request.secrets), attempts: attempt)
        }
        let retrying = Retrying(policy: policy, isCancelled: isCancelled, deadline: request.deadline)
        do {
            var response = try retrying.run({ number in
                attempt = number
                waited += try acquire(host, deadline: request.deadline)
                defer { limiter.release(host) }
                let response = try perform(request)
                if let reset = RetryPolicy.rateLimitReset(response.headers), response.isSuccess {
                    // Honoured up to max_pause: a server asking for years holds its host that long only.
                    limiter.pause(host, until: Date().addingTimeInterval(min(reset, policy.maxRetryAfter)))
                    shared?.pause(host, until: Date().addingTimeInterval(min(reset, policy.maxRetryAfter)))
                } else if RetryPolicy.retryableStatuses.contains(response.status),
                          let wait = RetryPolicy.requestedWait(response.headers) ?? RetryPolicy.rateLimitReset(response.headers) {
                    // The other workers hold back too: the limit is the account's, not this process's.
                    shared?.pause(host, until: Date().addingTimeInterval(min(wait, policy.maxRetryAfter)))
                }
                if RetryPolicy.retryableStatuses.contains(response.status) { throw RetryableResponse(response) }
                return response
            }, waited: { waited += $0 })
            response.url = Redaction.redact(response.url, secrets: request.secrets)
            response.attempts = attempt
            response.waited = waited
            return response
        } catch let failure as TransportFailure {
            throw failed(failure)
        } catch var last as RetryableResponse {
            // The attempts ran out: the last answer is the response.
            last.response.url = Redaction.redact(last.response.url, secrets: request.secrets)
            last.response.attempts = attempt
            last.response.waited = waited
            return last.response
        } catch let interruption as RetryInterruption {
            switch interruption.reason {
            case .cancelled:
                throw failed(TransportFailure(kind: .cancelled, retryable: false, message: "cancelled while waiting to send again"))
            case .deadline:
                throw failed(TransportFailure(kind: .timedOut(.deadline), retryable: false,
                                              message: "timed out: the deadline passes before the next attempt (in \(Self.format(interruption.wait)))"))
            case .waitTooLong:
                let status = (interruption.last as? RetryableResponse)?.response.status ?? 0
                throw HTTPError(kind: .rateLimited(retryAfter: interruption.wait), method: request.method, url: shownURL,
                                message: "HTTP \(status), and the server asks to wait \(Int(interruption.wait)) s, "
                                    + "longer than the \(Self.format(policy.maxRetryAfter)) allowed (http.max_pause)", attempts: attempt)
            }
        }
    }

    /// Sends `request` once and streams the body of a success answer (2xx) into `receiver`,
    /// as it arrives, without holding it in memory. The final response is returned whatever its
    /// status; for a non-2xx answer its (bounded) body is in the response instead.
    ///
    /// No retry: the caller knows how much it received and how to go on (an HTTP `Range`
    /// request, for instance). Waits for a free slot on the host, like ``send(_:)``. Throws
    /// ``HTTPError`` (with ``HTTPError/retryable`` set for connection failures and timeouts),
    /// or the error `receiver` threw.
    public func stream(_ request: HTTPRequest, into receiver: HTTPBodyReceiver) throws -> HTTPResponse {
        let host = HostLimiter.host(of: request.url)
        let shownURL = Redaction.redact(request.url, secrets: request.secrets)
        let waited: Double
        do {
            waited = try acquire(host, deadline: request.deadline)
        } catch let failure as TransportFailure {
            throw HTTPError(kind: failure.kind, method: request.method, url: shownURL,
                            message: failure.message, attempts: 1, retryable: failure.retryable)
        }
        defer { limiter.release(host) }
        do {
            var response = try perform(request, receiver: receiver)
            response.url = Redaction.redact(response.url, secrets: request.secrets)
            response.waited = waited
            return response
        } catch let failure as TransportFailure {
            throw HTTPError(kind: failure.kind, method: request.method, url: shownURL,
                            message: Redaction.redact(failure.message, secrets: request.secrets), attempts: 1, retryable: failure.retryable)
        }
    }

    /// Waits for `host` as ``HostLimiter/acquire(_:deadline:isCancelled:)`` does, turning its
    /// interruptions into transport failures.
    private func acquire(_ host: String, deadline: Date?) throws -> Double {
        if let until = shared?.pausedUntil(host), until > Date() {
            limiter.pause(host, until: until)
        }
        do {
            return try limiter.acquire(host, deadline: deadline, isCancelled: isCancelled)
        } catch HostLimiter.Interruption.cancelled {
            throw TransportFailure(kind: .cancelled, retryable: false, message: "cancelled while waiting for \(host)")
        } catch HostLimiter.Interruption.deadline(let until) {
            let wait = until.timeIntervalSinceNow
            throw TransportFailure(kind: .timedOut(.deadline), retryable: false, message: wait > 1
                ? "timed out: the deadline passes before \(host) may be asked again (the server asked for a pause of \(Self.format(wait)))"
                : Self.describe(.deadline))
        }
    }

    /// One transfer with libcurl; with a receiver, a 2xx body is streamed into it.
    private func perform(_ request: HTTPRequest, receiver: HTTPBodyReceiver? = nil) throws -> HTTPResponse {
        if let deadline = request.deadline, deadline <= Date() {
            throw TransportFailure(kind: .timedOut(.deadline), retryable: false, message: Self.describe(.deadline))
        }
        let handle = try handles.take()
        defer { handles.give(handle) }
        let curl = handle.curl
        curl_easy_reset(curl)
        if isCancelled() { throw TransportFailure(kind: .cancelled, retryable: false, message: "cancelled") }
        // A streamed answer that is not a success keeps at most 1 MiB of body (an error text).
        let limit = receiver != nil ? 1 << 20 : request.kind.map { configuration.limits.bytes(for: $0) } ?? configuration.maxBodyBytes
        let shownURL = Redaction.redact(request.url, secrets: request.secrets)
        let sink = ResponseSink(limit: limit)
        sink.shownURL = shownURL
        sink.receiver = receiver
        sink.isCancelled = isCancelled
        sink.curl = curl
        sink.stallTimeout = configuration.stallTimeout
        sink.deadline = request.deadline
        sink.addressPolicy = request.addressPolicy
        let context = Unmanaged.passUnretained(sink).toOpaque()

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        var headers = request.headers
        if let validators = request.validators {
            if let etag = validators.etag { headers.set("If-None-Match", etag) }
            if let date = validators.lastModified { headers.set("If-Modified-Since", date) }
        }
        // A signed request (AWS Signature Version 4) signs every header of this list: the
        // User-Agent goes through its own option, and S3 uploads keep libcurl's
        // "Expect: 100-continue" (the server may refuse before the body is sent).
        if request.signing == nil {
            // No "Expect: 100-continue" round trip before bodies.
            headers.set("Expect", "")
        }
        for field in headers.fields {
            headerList = curl_slist_append(headerList, field.value.isEmpty ? "\(field.name):" : "\(field.name): \(field.value)")
        }

        func set(_ option: CURLoption, _ value: Int, _ name: String) throws {
            try check(sediment_curl_set_long(curl, option, value), operation: "set \(name)", url: shownURL)
        }
        try check(sediment_curl_set_string(curl, CURLOPT_URL, request.url), operation: "set CURLOPT_URL", url: shownURL)
        if headers["User-Agent"] == nil {
            try check(sediment_curl_set_string(curl, CURLOPT_USERAGENT, configuration.userAgent), operation: "set CURLOPT_USERAGENT", url: shownURL)
        }
        try set(CURLOPT_NOSIGNAL, 1, "CURLOPT_NOSIGNAL")
        try set(CURLOPT_FOLLOWLOCATION, 1, "CURLOPT_FOLLOWLOCATION")
        try set(CURLOPT_MAXREDIRS, configuration.maxRedirects, "CURLOPT_MAXREDIRS")
        try set(CURLOPT_CONNECTTIMEOUT_MS, Int(configuration.connectTimeout * 1000), "CURLOPT_CONNECTTIMEOUT_MS")
        if receiver == nil {
            try set(CURLOPT_TIMEOUT_MS, Int(configuration.totalTimeout * 1000), "CURLOPT_TIMEOUT_MS")
        } else {
            // Large objects: no total timeout (a transfer that stalls fails); big reads.
            try set(CURLOPT_BUFFERSIZE, 512 << 10, "CURLOPT_BUFFERSIZE")
        }
        // Called about once a second even while nothing arrives: the stall timeout, the
        // deadline and a receiver's stop request are checked there.
        try set(CURLOPT_NOPROGRESS, 0, "CURLOPT_NOPROGRESS")
        try check(sediment_curl_set_pointer(curl, CURLOPT_XFERINFODATA, context), operation: "set CURLOPT_XFERINFODATA", url: shownURL)
        try check(sediment_curl_set_progress_callback(curl, ResponseSink.progress), operation: "set CURLOPT_XFERINFOFUNCTION", url: shownURL)
        if request.addressPolicy != nil {
            // Every connection (redirects too) opens its socket in ResponseSink.openSocket, on the address curl
            // resolved and will connect to: the one that is checked.
            try check(sediment_curl_set_pointer(curl, CURLOPT_OPENSOCKETDATA, context), operation: "set CURLOPT_OPENSOCKETDATA", url: shownURL)
            try check(sediment_curl_set_opensocket_callback(curl, ResponseSink.openSocket), operation: "set CURLOPT_OPENSOCKETFUNCTION", url: shownURL)
        }
        try set(CURLOPT_SSL_VERIFYPEER, 1, "CURLOPT_SSL_VERIFYPEER")
        try set(CURLOPT_SSL_VERIFYHOST, 2, "CURLOPT_SSL_VERIFYHOST")
        try set(CURLOPT_PROTOCOLS, Int(CURLPROTO_HTTP | CURLPROTO_HTTPS), "CURLOPT_PROTOCOLS")
        try set(CURLOPT_REDIR_PROTOCOLS, Int(CURLPROTO_HTTP | CURLPROTO_HTTPS), "CURLOPT_REDIR_PROTOCOLS")
        if receiver == nil {
            // Compressed answers for API calls; streamed bodies are taken byte for byte (ranges).
            try check(sediment_curl_set_string(curl, CURLOPT_ACCEPT_ENCODING, ""), operation: "set CURLOPT_ACCEPT_ENCODING", url: shownURL)
        }
        try check(sediment_curl_set_headers(curl, headerList), operation: "set CURLOPT_HTTPHEADER", url: shownURL)
        try check(sediment_curl_set_pointer(curl, CURLOPT_WRITEDATA, context), operation: "set CURLOPT_WRITEDATA", url: shownURL)
        try check(sediment_curl_set_data_callback(curl, CURLOPT_WRITEFUNCTION, ResponseSink.write), operation: "set CURLOPT_WRITEFUNCTION", url: shownURL)
        try check(sediment_curl_set_pointer(curl, CURLOPT_HEADERDATA, context), operation: "set CURLOPT_HEADERDATA", url: shownURL)
        try check(sediment_curl_set_data_callback(curl, CURLOPT_HEADERFUNCTION, ResponseSink.headerLine), operation: "set CURLOPT_HEADERFUNCTION", url: shownURL)
        if let signing = request.signing {
            try check(sediment_curl_set_string(curl, CURLOPT_AWS_SIGV4, signing.provider), operation: "set CURLOPT_AWS_SIGV4", url: shownURL)
            try check(sediment_curl_set_string(curl, CURLOPT_USERNAME, signing.accessKeyID), operation: "set CURLOPT_USERNAME", url: shownURL)
            try check(sediment_curl_set_string(curl, CURLOPT_PASSWORD, signing.secretAccessKey), operation: "set CURLOPT_PASSWORD", url: shownURL)
        }
        var source: FileBodySource?
        if let file = request.bodyFile {
            source = try FileBodySource(file)
            try set(CURLOPT_UPLOAD, 1, "CURLOPT_UPLOAD")
            try check(sediment_curl_set_offset(curl, CURLOPT_INFILESIZE_LARGE, curl_off_t(file.length)), operation: "set CURLOPT_INFILESIZE_LARGE", url: shownURL)
            try check(sediment_curl_set_pointer(curl, CURLOPT_READDATA, Unmanaged.passUnretained(source!).toOpaque()), operation: "set CURLOPT_READDATA", url: shownURL)
            try check(sediment_curl_set_data_callback(curl, CURLOPT_READFUNCTION, FileBodySource.read), operation: "set CURLOPT_READFUNCTION", url: shownURL)
        }
        defer { withExtendedLifetime(source) {} }
        let method = request.method.uppercased()
        switch method {
        case "GET": try set(CURLOPT_HTTPGET, 1, "CURLOPT_HTTPGET")
        case "HEAD": try set(CURLOPT_NOBODY, 1, "CURLOPT_NOBODY")
        default: try check(sediment_curl_set_string(curl, CURLOPT_CUSTOMREQUEST, method), operation: "set CURLOPT_CUSTOMREQUEST", url: shownURL)
        }
        let body = request.body ?? Data()
        let code: CURLcode = try body.withUnsafeBytes { bytes in
            if source == nil && (request.body != nil || method == "POST" || method == "PUT") {
                try set(CURLOPT_POSTFIELDSIZE_LARGE, bytes.count, "CURLOPT_POSTFIELDSIZE_LARGE")
                try check(sediment_curl_set_pointer(curl, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!)), operation: "set CURLOPT_POSTFIELDS", url: shownURL)
                if method == "GET" { try check(sediment_curl_set_string(curl, CURLOPT_CUSTOMREQUEST, "GET"), operation: "set CURLOPT_CUSTOMREQUEST", url: shownURL) }
            }
            return curl_easy_perform(curl)
        }
        if let failure = sink.failure {
            throw failure
        }
        if let failure = source?.failure {
            throw TransportFailure(kind: .transport(code: Int32(CURLE_READ_ERROR.rawValue)), retryable: false, message: failure)
        }
        if code != CURLE_OK, let refusal = sink.refusal {
            throw TransportFailure(kind: .refused(reason: refusal), retryable: false,
                                   message: "refused to connect: \(refusal), and the URL comes from hub data (allow it with [security] allow_networks)")
        }
        if sink.cancelled {
            throw TransportFailure(kind: .cancelled, retryable: false, message: "cancelled during the transfer")
        }
        if let limit = sink.stoppedBy {
            // A stalled transfer may succeed when sent again; a passed deadline will not.
            throw TransportFailure(kind: .timedOut(limit), retryable: limit != .deadline, message: Self.describe(limit))
        }
        if code == CURLE_OPERATION_TIMEDOUT {
            var connected: curl_off_t = 0
            try check(sediment_curl_get_offset(curl, CURLINFO_CONNECT_TIME_T, &connected), operation: "read CURLINFO_CONNECT_TIME_T", url: shownURL)
            if connected == 0 && !sink.receivedAny {
                let limit = HTTPError.Timeout.connect(seconds: configuration.connectTimeout)
                throw TransportFailure(kind: .timedOut(limit), retryable: true, message: Self.describe(limit))
            }
        }
        if code != CURLE_OK {
            if sink.overflowed {
                let bound = receiver == nil ? request.kind.map { "; \($0.noun) is at most \(limit) bytes (\($0.setting))" } ?? "" : ""
                throw TransportFailure(kind: .tooLarge(limit: limit), retryable: false, message: "the response body is over \(limit) bytes" + bound)
            }
            let message = String(cString: curl_easy_strerror(code))
            let retryable = [CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_RECV_ERROR, CURLE_SEND_ERROR,
                             CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_COULDNT_RESOLVE_HOST, CURLE_HTTP2, CURLE_HTTP2_STREAM].contains(code)
            throw TransportFailure(kind: .transport(code: Int32(code.rawValue)), retryable: retryable, message: message)
        }
        var status = 0
        try check(sediment_curl_get_long(curl, CURLINFO_RESPONSE_CODE, &status), operation: "read CURLINFO_RESPONSE_CODE", url: shownURL)
        if receiver != nil, sink.streaming == nil {
            // An answer with an empty body: the receiver still hears of it.
            sink.streaming = try receiver!.accept(status: status, headers: sink.headers)
        }
        var effective: UnsafeMutablePointer<CChar>?
        try check(sediment_curl_get_string(curl, CURLINFO_EFFECTIVE_URL, &effective), operation: "read CURLINFO_EFFECTIVE_URL", url: shownURL)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.data,
                            url: effective.map { String(cString: $0) } ?? request.url, attempts: 1, waited: 0)
    }
}

extension HTTPClient {
    /// A timeout as errors say it: "timed out: no byte for 2 s".
    static func describe(_ limit: HTTPError.Timeout) -> String {
        switch limit {
        case .connect(let seconds): return "timed out: no connection within \(format(seconds))"
        case .stall(let seconds): return "timed out: no byte for \(format(seconds))"
        case .deadline: return "timed out: the deadline passed"
        }
    }

    /// "2 s", "1.5 s", "250 ms".
    static func format(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds == seconds.rounded() { return "\(Int(seconds)) s" }
        return String(format: "%.1f s", seconds)
    }
}

/// A transfer that produced no response.
struct TransportFailure: RetryableFailure {
    var kind: HTTPError.Kind
    var retryable: Bool
    var message: String

    var code: FailureCode { HTTPError.code(of: kind) }
    var isTransient: Bool { retryable }
}

/// An answer whose status asks for the request to be sent again (``RetryPolicy/retryableStatuses``).
struct RetryableResponse: RetryableFailure {
    var response: HTTPResponse
    /// The server's `Retry-After` or rate-limit reset.
    var retryAfter: TimeInterval?
    var code: FailureCode
    /// Every status of the list is worth another try, whatever its code.
    var isTransient: Bool { true }

    init(_ response: HTTPResponse) {
        self.response = response
        retryAfter = RetryPolicy.requestedWait(response.headers)
        code = FailureCode(status: response.status) ?? .other
    }
}
