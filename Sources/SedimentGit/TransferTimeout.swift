import Foundation
import SedimentNetwork

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
public struct TransferTimeout: RetryableFailure, CustomStringConvertible, Sendable {
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

    /// ``FailureCode/timeout`` for the connect timeout and the deadline,
    /// ``FailureCode/stalled`` for the stall timeout.
    public var code: FailureCode {
        if case .stall = limit { return .stalled }
        return .timeout
    }

    /// A silent connection or server may answer when asked again; the deadline stays passed.
    public var isTransient: Bool { limit != .deadline }

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
