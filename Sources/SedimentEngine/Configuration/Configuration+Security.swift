import Foundation
import SedimentNetwork

extension Configuration {
    /// The address policy for a URL a hub gave (a Modelhub entry's `github`, a ModelZoo link,
    /// an LFS `href`, a `.lfsconfig` URL): nil when the operator chose where it goes — a
    /// `[[rewrite]]` rule rewrites it, or its host and port are those of a configured
    /// endpoint, index or repository or of a rewrite's replacement — and otherwise a policy
    /// refusing internal addresses outside `[security] allow_networks`. Local paths never
    /// reach the network.
    public func addressPolicy(forHubURL url: String) -> AddressPolicy? {
        network.addressPolicy(forHubURL: url)
    }

    /// What the components that connect need of the configuration.
    public var network: NetworkOptions { NetworkOptions(self) }

    /// `host:port` of every URL the configuration names for its hubs and rewrites.
    var operatorOrigins: Set<String> {
        var urls: [String] = rewrites.map(\.replacement)
        for hub in hubs {
            urls += [hub.endpoint, hub.index].compactMap { $0 } + hub.repositories
        }
        return Set(urls.compactMap(Self.origin(of:)))
    }

    /// `host:port` of a network URL, lowercased, the scheme's port when none is given; nil for
    /// a local path or a URL without a host.
    static func origin(of url: String) -> String? {
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(),
              let host = parsed.host?.lowercased(), !host.isEmpty else { return nil }
        let ports = ["http": 80, "https": 443, "git": 9418, "ssh": 22]
        guard let port = parsed.port ?? ports[scheme] else { return nil }
        return "\(host):\(port)"
    }
}
