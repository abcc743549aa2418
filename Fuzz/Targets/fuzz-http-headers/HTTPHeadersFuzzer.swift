import Foundation
@testable import SedimentHTTP

/// A response's header lines as libcurl hands them over (one `Name: value\r\n` line per call,
/// a status line starting a new response), collected as the client collects them; then the
/// waits asked by `Retry-After` and the rate-limit headers, HTTP dates, the validators and
/// the `Link` header's next page. A requested wait must be a finite, non-negative number of
/// seconds that fits an Int.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let sink = ResponseSink(limit: 0)
    var lines = Array(UnsafeBufferPointer(start: data, count: size)).split(separator: 0x0A, omittingEmptySubsequences: false)
    if lines.last?.isEmpty == true { lines.removeLast() }
    for line in lines {
        var bytes = line.map { CChar(bitPattern: $0) } + [CChar(0x0A)]
        bytes.withUnsafeMutableBufferPointer { sink.header($0.baseAddress!, $0.count) }
    }
    let headers = sink.headers
    let now = Date(timeIntervalSince1970: 1_700_000_000)
    // The client turns a wait into whole seconds for its messages and into a sleep: a wait
    // must be a number of seconds an Int can hold.
    for wait in [RetryPolicy.requestedWait(headers, now: now), RetryPolicy.rateLimitReset(headers, now: now)].compactMap({ $0 }) {
        precondition(wait.isFinite && wait >= 0 && wait < 1e15, "a server-requested wait of \(wait) s")
        _ = Int(wait)
    }
    if let retryAfter = headers["Retry-After"] { _ = RetryPolicy.httpDate(retryAfter) }
    let response = HTTPResponse(status: 200, headers: headers, body: Data(), url: "https://hub.example/api", attempts: 1, waited: 0)
    _ = response.nextLink
    _ = response.validators
    return 0
}
