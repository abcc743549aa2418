import Foundation

/// systemd's notify protocol, spoken directly: datagrams of `KEY=value` lines sent to the
/// unix socket named by `$NOTIFY_SOCKET` (a path, or an abstract name written `@name`).
/// Without `$NOTIFY_SOCKET` every call does nothing, so the daemon runs the same outside systemd.
public final class SystemdNotifier: @unchecked Sendable {  // @unchecked: `lock` guards `lastStatus`; a datagram `sendto` is safe from any thread
    private let socketPath: String?
    private let fd: Int32
    private let lock = NSLock()
    private var lastStatus: String?
    /// How often to send WATCHDOG=1: half of `$WATCHDOG_USEC`, when the watchdog is meant for this process.
    public let watchdogInterval: TimeInterval?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        socketPath = path
        fd = path == nil ? -1 : socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if let usec = environment["WATCHDOG_USEC"].flatMap(UInt64.init), usec > 0,
           environment["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == getpid() }) ?? true {
            watchdogInterval = Double(usec) / 2_000_000
        } else {
            watchdogInterval = nil
        }
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Whether a service manager listens.
    public var isActive: Bool { socketPath != nil && fd >= 0 }

    /// Sends one notification (`"READY=1"`, `"STATUS=…"`, several joined by newlines).
    @discardableResult
    public func notify(_ state: String) -> Bool {
        guard let path = socketPath, fd >= 0 else { return false }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == 0 ? 0 : 1))
        let message = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                message.withUnsafeBytes { sendto(fd, $0.baseAddress, message.count, Int32(MSG_NOSIGNAL), sa, length) }
            }
        }
        return sent == message.count
    }

    /// Sends `STATUS=text`, unless it is what was sent last.
    public func status(_ text: String) {
        lock.lock()
        let changed = text != lastStatus
        lastStatus = text
        lock.unlock()
        if changed { notify("STATUS=" + text) }
    }
}
