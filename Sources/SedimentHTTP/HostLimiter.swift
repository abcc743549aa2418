import Foundation

/// Limits the requests in flight to each host, and holds requests back while a host's rate
/// limit says none remain. A pause holds only its host: requests to other hosts go on, and
/// a waiting request gives up when its deadline would pass or its crawl is cancelled.
final class HostLimiter: @unchecked Sendable {  // @unchecked: `condition` guards every var
    private let condition = NSCondition()
    private var active: [String: Int] = [:]
    private var notBefore: [String: Date] = [:]
    let perHost: Int
    /// How often a waiting request looks at its cancellation.
    static let poll = 0.25

    /// Why a request gave up waiting for its host.
    enum Interruption: Error {
        case cancelled
        /// The request's deadline passes before the host may be asked again (at `until`).
        case deadline(until: Date)
    }

    init(perHost: Int) {
        self.perHost = max(1, perHost)
    }

    /// Waits for `host`'s pause to end and for a free slot on it; returns the seconds spent
    /// waiting for the pause. Throws an ``Interruption`` (holding no slot) when `isCancelled`
    /// turns true, or at once when the pause ends after `deadline`.
    func acquire(_ host: String, deadline: Date? = nil, isCancelled: () -> Bool = { false }) throws -> Double {
        var paused = 0.0
        condition.lock()
        defer { condition.unlock() }
        while true {
            if isCancelled() { throw Interruption.cancelled }
            let now = Date()
            if let until = notBefore[host], until > now {
                if let deadline, deadline < until { throw Interruption.deadline(until: until) }
                _ = condition.wait(until: min(until, now.addingTimeInterval(Self.poll)))
                paused += Date().timeIntervalSince(now)
                continue
            }
            if (active[host] ?? 0) >= perHost {
                if let deadline, deadline <= now { throw Interruption.deadline(until: now) }
                _ = condition.wait(until: now.addingTimeInterval(Self.poll))
                continue
            }
            active[host, default: 0] += 1
            return paused
        }
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
