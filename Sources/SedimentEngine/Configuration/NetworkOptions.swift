import Foundation
import SedimentGit
import SedimentNetwork

/// Where the archive's git and HTTP requests may go, as the configuration says: the
/// `[[rewrite]]` rules, the origins the operator named (endpoints, indexes, repositories,
/// rewrite replacements), `[security] allow_networks`, and the transfer timeouts of `[http]`.
/// Built once from the ``Configuration`` and handed to the components that connect.
public struct NetworkOptions: Sendable {
    public var rewrites: [Configuration.Rewrite]
    /// `host:port` of every URL the configuration names for its hubs and rewrites.
    public var operatorOrigins: Set<String>
    public var allowedNetworks: [AddressPolicy.Network]
    public var connectTimeout: TimeInterval
    public var stallTimeout: TimeInterval

    public init(_ configuration: Configuration) {
        rewrites = configuration.rewrites
        operatorOrigins = configuration.operatorOrigins
        allowedNetworks = configuration.security.allowedNetworks
        connectTimeout = configuration.http.connectTimeout
        stallTimeout = configuration.http.stallTimeout
    }

    /// `url` after the `[[rewrite]]` rules (the longest matching prefix wins).
    public func rewrite(_ url: String) -> String {
        Configuration.Rewrite.apply(rewrites, to: url)
    }

    /// The address policy for a URL a hub gave (a Modelhub entry's `github`, a ModelZoo link,
    /// an LFS `href`, a `.lfsconfig` URL): nil when the operator chose where it goes — a
    /// `[[rewrite]]` rule rewrites it, or its host and port are those of a configured
    /// endpoint, index or repository or of a rewrite's replacement — and otherwise a policy
    /// refusing internal addresses outside `[security] allow_networks`. Local paths never
    /// reach the network.
    public func addressPolicy(forHubURL url: String) -> AddressPolicy? {
        if rewrite(url) != url { return nil }
        guard let origin = Configuration.origin(of: url) else { return nil }
        if operatorOrigins.contains(origin) { return nil }
        return AddressPolicy(allowedNetworks: allowedNetworks)
    }

    /// The limits of one git transfer: `[http] connect_timeout` and `stall_timeout`, and the
    /// visit's `deadline` (from `[daemon] visit_timeout`) when there is one.
    /// `addressPolicy` keeps a URL from hub data from internal addresses (see ``addressPolicy(forHubURL:)``).
    public func transferLimits(deadline: Date? = nil, addressPolicy: AddressPolicy? = nil) -> TransferLimits {
        TransferLimits(connectTimeout: connectTimeout, stallTimeout: stallTimeout, deadline: deadline, addressPolicy: addressPolicy)
    }
}
