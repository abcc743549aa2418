import Foundation
import SedimentHubs
import TOMLKit

/// `kind = "modelzoo"`: the models modelzoo.co's pages list, each with the repository it links.
struct ModelZooKind: HubKind {
    let name = "modelzoo"
    let configurationKeys = ["endpoint"]
    let displayName = "ModelZoo"
    static let defaultEndpoint = "https://modelzoo.co"

    func location(of hub: Configuration.Hub?) -> String { hub?.endpoint ?? Self.defaultEndpoint }

    func configure(_ hub: inout Configuration.Hub, from table: TOMLTable, at path: String, reader: TableReader) throws {
        let endpoint = try reader.string(table, "endpoint", at: path) ?? Self.defaultEndpoint
        guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ConfigurationError(file: reader.file, key: "\(path).endpoint", problem: "expected an http(s) URL such as \"https://modelzoo.co\", got \"\(endpoint)\"")
        }
        hub.endpoint = endpoint
    }

    func discover(_ discovery: Discovery) throws -> Discovery.Result {
        var adapter = ModelZooHub(name: discovery.hub.name, endpoint: location(of: discovery.hub))
        adapter.cache = CatalogResponseCache(catalog: discovery.archive.catalog)
        let listed = try adapter.discover(client: discovery.client)
        return Discovery.Result(packages: listed.packages, problems: listed.problems, complete: true)
    }
}
