import CCurl
import Foundation
import SedimentNetwork

/// Collects one response's headers (of the last hop, after redirects) and body.
final class ResponseSink {
    var headers = HTTPHeaders()
    var data = Data()
    var overflowed = false
    let limit: Int
    /// With a receiver: whether it takes the body (nil until the first body byte).
    var receiver: HTTPBodyReceiver?
    var streaming: Bool?
    var failure: Error?
    var curl: UnsafeMutableRawPointer?
    /// The request's URL as errors show it.
    var shownURL = ""
    /// The addresses the request may not reach, and why the last one was refused.
    var addressPolicy: AddressPolicy?
    var refusal: String?
    /// Seconds without a byte after which the transfer stops, and when it must be over.
    var stallTimeout: Double = 60
    var deadline: Date?
    /// Whether the work is cancelled (checked about once a second), and whether that stopped the transfer.
    var isCancelled: @Sendable () -> Bool = { false }
    var cancelled = false
    /// The limit that stopped the transfer, if one did.
    private(set) var stoppedBy: HTTPError.Timeout?
    /// When the last byte came (or went), and the counts seen then.
    private var lastByte = Date()
    private var counts: (received: Int64, sent: Int64) = (0, 0)
    /// Whether any byte of an answer (a header line) arrived.
    private(set) var receivedAny = false

    init(limit: Int) { self.limit = limit }

    /// Whether the transfer must stop: the deadline passed, or no byte came or went for the
    /// stall timeout. Called from libcurl's progress callback.
    func exceedsLimits(received: Int64, sent: Int64) -> Bool {
        let now = Date()
        if let deadline, now >= deadline {
            stoppedBy = .deadline
            return true
        }
        if received != counts.received || sent != counts.sent {
            counts = (received, sent)
            lastByte = now
        } else if now.timeIntervalSince(lastByte) >= stallTimeout {
            stoppedBy = .stall(seconds: stallTimeout)
            return true
        }
        return false
    }

    func body(_ pointer: UnsafeMutablePointer<CChar>, _ count: Int) -> Int {
        receivedAny = true
        lastByte = Date()
        if let receiver {
            do {
                if streaming == nil {
                    var status = 0
                    try check(sediment_curl_get_long(curl, CURLINFO_RESPONSE_CODE, &status), operation: "read CURLINFO_RESPONSE_CODE", url: shownURL)
                    streaming = try receiver.accept(status: status, headers: headers)
                }
                if streaming == true {
                    try receiver.receive(UnsafeRawBufferPointer(start: pointer, count: count))
                    return count
                }
            } catch {
                failure = error
                return 0
            }
        }
        guard data.count + count <= limit else {
            overflowed = true
            return 0
        }
        pointer.withMemoryRebound(to: UInt8.self, capacity: count) { data.append($0, count: count) }
        return count
    }

    func header(_ pointer: UnsafeMutablePointer<CChar>, _ count: Int) {
        receivedAny = true
        lastByte = Date()
        let line = String(decoding: UnsafeRawBufferPointer(start: pointer, count: count), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            headers = HTTPHeaders()   // a new response (after a redirect or a 100 Continue)
            data.removeAll()
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        headers.add(String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                    String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
    }
}

/// libcurl's callbacks, each given the request's sink as its context.
extension ResponseSink {
    /// About once a second, even while nothing arrives: the stall timeout, the deadline and
    /// a receiver's stop request are checked here (`CURLOPT_XFERINFOFUNCTION`).
    static let progress: sediment_curl_progress_callback = { context, _, received, _, sent in
        let sink = Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue()
        if sink.receiver?.shouldStop() == true { return 1 }
        if sink.isCancelled() {
            sink.cancelled = true
            return 1
        }
        return sink.exceedsLimits(received: Int64(received), sent: Int64(sent)) ? 1 : 0
    }

    /// Opens every connection's socket (redirects too) on the address curl resolved and will
    /// connect to, after the address policy allowed it (`CURLOPT_OPENSOCKETFUNCTION`).
    static let openSocket: sediment_curl_opensocket_callback = { context, _, address in
        let sink = Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue()
        guard let address else { return CURL_SOCKET_BAD }
        let refusal = withUnsafePointer(to: &address.pointee.addr) { sink.addressPolicy?.refusal($0) }
        if let refusal {
            sink.refusal = refusal
            return CURL_SOCKET_BAD
        }
        return socket(address.pointee.family, address.pointee.socktype, address.pointee.protocol)
    }

    /// The body's next bytes (`CURLOPT_WRITEFUNCTION`).
    static let write: sediment_curl_data_callback = { data, size, count, context in
        let sink = Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue()
        return sink.body(data!, size * count)
    }

    /// One header line (`CURLOPT_HEADERFUNCTION`).
    static let headerLine: sediment_curl_data_callback = { data, size, count, context in
        let sink = Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue()
        sink.header(data!, size * count)
        return size * count
    }
}

// A sink is not Sendable: libcurl calls into it from the one thread that runs its transfer
// (`curl_easy_perform` on the caller's thread).
@available(*, unavailable)
extension ResponseSink: Sendable {}
