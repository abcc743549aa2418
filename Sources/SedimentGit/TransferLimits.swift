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
