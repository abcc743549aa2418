import Foundation

/// Limits the requests in flight to each host, and holds requests back while a host's rate
/// limit says none remain.
final class HostLimiter: @unchecked Sendable {
    private let condition = NSCondition()
    private var active: [String: Int] = [:]
    private var notBefore: [String: Date] = [:]
    let perHost: Int

    init(perHost: Int) {
        self.perHost = max(1, perHost)
    }

    /// Waits for a free slot on `host`; returns the seconds spent waiting for its rate limit.
    func acquire(_ host: String) -> Double {
        condition.lock()
        while (active[host] ?? 0) >= perHost { condition.wait() }
        active[host, default: 0] += 1
        let until = notBefore[host]
        condition.unlock()
        guard let until else { return 0 }
        let wait = until.timeIntervalSinceNow
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        return max(0, wait)
    }

    func release(_ host: String) {
        condition.lock()
        active[host, default: 1] -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// No request to `host` before `date` (a rate limit said none remain until then).
    func pause(_ host: String, until date: Date) {
        condition.lock()
        if notBefore[host].map({ $0 < date }) ?? true { notBefore[host] = date }
        condition.unlock()
    }

    static func host(of url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return url }
        return components.port.map { "\(host):\($0)" } ?? host
    }
}
