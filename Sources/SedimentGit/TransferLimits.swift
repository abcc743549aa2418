import CGitStream
import Foundation
import SedimentNetwork

/// How long a fetch may wait on its server: for a connection, for each next byte, and in all.
///
/// libgit2 1.5 has no server timeouts, so Sediment supplies libgit2's socket stream itself
/// (`Sources/CGitStream`): every connection for `http://`, `https://` (TLS is layered on it)
/// and `git://` uses non-blocking sockets and `poll(2)` with these limits.
public struct TransferLimits: Sendable, Equatable {
    /// Seconds to wait for a TCP connection (`[http] connect_timeout`).
    public var connectTimeout: TimeInterval
    /// Seconds one read may wait for its first byte (`[http] stall_timeout`).
    public var stallTimeout: TimeInterval
    /// When the transfer must be over, whatever its progress (a visit's deadline); nil: never.
    public var deadline: Date?
    /// For a URL that came from hub data: the addresses it may not reach. Nil for a URL the
    /// operator configured, which may reach any address.
    public var addressPolicy: AddressPolicy?

    public init(connectTimeout: TimeInterval = 30, stallTimeout: TimeInterval = 60, deadline: Date? = nil,
                addressPolicy: AddressPolicy? = nil) {
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
        self.deadline = deadline
        self.addressPolicy = addressPolicy
    }

    /// The limits of connections opened outside a fetch (none does today; a safety net).
    public static func setProcessDefaults(_ limits: TransferLimits) {
        GitRuntime.ensureInitialised()
        sediment_git_stream_set_defaults(Self.milliseconds(limits.connectTimeout), Self.milliseconds(limits.stallTimeout))
    }

    static func milliseconds(_ seconds: TimeInterval) -> Int32 {
        Int32(clamping: Int64((max(0.001, seconds) * 1000).rounded()))
    }
}

/// A fetch of a URL from hub data that the address policy kept from an internal address.
public struct TransferRefused: Error, CustomStringConvertible, Sendable {
    /// The repository URL, redacted.
    public var url: String
    /// Why ("127.0.0.1 is a loopback address").
    public var reason: String

    public var description: String {
        "refused to fetch \(url): \(reason), and the URL comes from hub data (allow it with [security] allow_networks)"
    }
}

/// Where a fetch was when a limit stopped it.
public enum TransferPhase: String, Sendable {
    /// Opening the TCP connection.
    case connect
    /// Connected, before the first byte of the pack: the ref advertisement and the wants and haves.
    case negotiate
    /// The server was building and sending the pack (libgit2 had reported its progress
    /// messages or the pack's first data).
    case receivePack = "receive pack"
}

/// A fetch that a limit of ``TransferLimits`` stopped. Its description names the phase and the
/// URL (credentials removed), e.g.
/// `timed out (receive pack): no byte from http://127.0.0.1:8080/x.git for 2 s`.
public struct TransferTimeout: Error, CustomStringConvertible, Sendable {
    public enum Limit: Sendable, Equatable {
        /// No TCP connection within the connect timeout.
        case connect(TimeInterval)
        /// No byte for the stall timeout.
        case stall(TimeInterval)
        /// The transfer's deadline passed.
        case deadline
    }

    public var limit: Limit
    public var phase: TransferPhase
    /// The repository URL, redacted.
    public var url: String

    public init(limit: Limit, phase: TransferPhase, url: String) {
        self.limit = limit
        self.phase = phase
        self.url = url
    }

    public var description: String {
        switch limit {
        case .connect(let seconds):
            return "timed out (connect): no connection to \(url) within \(Self.format(seconds))"
        case .stall(let seconds):
            return "timed out (\(phase.rawValue)): no byte from \(url) for \(Self.format(seconds))"
        case .deadline:
            return "timed out (\(phase.rawValue)): the deadline passed while fetching \(url)"
        }
    }

    /// "2 s", "1.5 s", "250 ms".
    public static func format(_ seconds: TimeInterval) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds == seconds.rounded() { return "\(Int(seconds)) s" }
        return String(format: "%.1f s", seconds)
    }
}

/// One fetch's limits, installed for the calling thread's libgit2 streams between `begin` and `end`.
final class TransferWatch {
    let limits: TransferLimits
    private let state: UnsafeMutablePointer<sediment_git_transfer>
    private let stopCheck: (() -> Bool)?

    init(limits: TransferLimits, shouldStop: (() -> Bool)?) {
        self.limits = limits
        stopCheck = shouldStop
        state = .allocate(capacity: 1)
        state.initialize(to: sediment_git_transfer())
        state.pointee.connect_timeout_ms = TransferLimits.milliseconds(limits.connectTimeout)
        state.pointee.stall_timeout_ms = TransferLimits.milliseconds(limits.stallTimeout)
        if let deadline = limits.deadline {
            // The stream's clock is CLOCK_MONOTONIC: the deadline as a delay from now.
            let remaining = deadline.timeIntervalSinceNow
            state.pointee.deadline_ms = sediment_git_clock_ms() + Int64(max(0, remaining) * 1000)
        }
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Installs the limits on this thread; call ``end()`` on the same thread once libgit2 has
    /// freed the remote (its streams point at this watch).
    func begin() {
        state.pointee.payload = Unmanaged.passUnretained(self).toOpaque()
        if limits.addressPolicy != nil {
            state.pointee.address_refused = { address, reason, size, payload in
                let watch = Unmanaged<TransferWatch>.fromOpaque(payload!).takeUnretainedValue()
                guard let address, let why = watch.limits.addressPolicy?.refusal(address) else { return 0 }
                watch.refusal = why
                if let reason, size > 0 {
                    let bytes = Array(why.utf8.prefix(size - 1)) + [0]
                    bytes.withUnsafeBufferPointer { UnsafeMutableRawPointer(reason).copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
                }
                return 1
            }
        }
        if stopCheck != nil {
            state.pointee.should_stop = { payload in
                let watch = Unmanaged<TransferWatch>.fromOpaque(payload!).takeUnretainedValue()
                return watch.stopCheck?() == true ? 1 : 0
            }
        }
        sediment_git_transfer_begin(state)
    }

    func end() {
        sediment_git_transfer_end()
    }

    /// Why the last address was refused by the policy, if one was.
    var refusal: String?

    /// Whether the deadline has passed already (the fetch should not start).
    var deadlinePassed: Bool {
        limits.deadline.map { $0 <= Date() } ?? false
    }

    /// The timeout that stopped the transfer, if a limit did (nil after a stop request or none).
    func timeout(phase: TransferPhase, url: String) -> TransferTimeout? {
        let outcome = Int(state.pointee.outcome)
        if outcome == Int(SEDIMENT_GIT_TRANSFER_CONNECT_TIMEOUT) {
            return TransferTimeout(limit: .connect(limits.connectTimeout), phase: .connect, url: url)
        } else if outcome == Int(SEDIMENT_GIT_TRANSFER_STALLED) {
            return TransferTimeout(limit: .stall(limits.stallTimeout), phase: phase, url: url)
        } else if outcome == Int(SEDIMENT_GIT_TRANSFER_DEADLINE) {
            return TransferTimeout(limit: .deadline, phase: phase, url: url)
        }
        return nil
    }
}
