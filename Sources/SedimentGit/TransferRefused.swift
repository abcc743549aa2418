import SedimentNetwork

/// A fetch of a URL from hub data that the address policy kept from an internal address.
public struct TransferRefused: CodedFailure, CustomStringConvertible, Sendable {
    public var code: FailureCode { .refused }
    /// The repository URL, redacted.
    public var url: String
    /// Why ("127.0.0.1 is a loopback address").
    public var reason: String

    public var description: String {
        "refused to fetch \(url): \(reason), and the URL comes from hub data (allow it with [security] allow_networks)"
    }
}
