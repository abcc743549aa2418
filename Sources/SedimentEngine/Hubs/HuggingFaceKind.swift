import Foundation
import SedimentHubs
import TOMLKit

/// `kind = "huggingface"`: the models the Hub API lists for a query; its token defaults to
/// `$HF_TOKEN` (Hugging Face's own convention).
struct HuggingFaceKind: HubKind {
    let name = "huggingface"
    let configurationKeys = ["endpoint", "author", "search", "filter", "sort", "limit", "page_size", "skip_unchanged"]
    let displayName = "HuggingFace"
    var idsAreOwnerAndName: Bool { true }
    static let defaultEndpoint = "https://huggingface.co"

    func location(of hub: Configuration.Hub?) -> String { hub?.endpoint ?? Self.defaultEndpoint }

    func configure(_ hub: inout Configuration.Hub, from table: TOMLTable, at path: String, reader: TableReader) throws {
        let file = reader.file
        let endpoint = try reader.string(table, "endpoint", at: path) ?? Self.defaultEndpoint
        guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ConfigurationError(file: file, key: "\(path).endpoint", problem: "expected an http(s) URL such as \"https://huggingface.co\", got \"\(endpoint)\"")
        }
        hub.endpoint = endpoint
        hub.query.author = try reader.string(table, "author", at: path)
        hub.query.search = try reader.string(table, "search", at: path)
        if table["filter"]?.string != nil {
            hub.query.filter = [try reader.string(table, "filter", at: path)!]
        } else if let tags = try reader.strings(table, "filter", at: path) {
            hub.query.filter = tags
        }
        if let sort = try reader.string(table, "sort", at: path) {
            let allowed = ["downloads", "likes", "lastModified", "createdAt", "trendingScore", "id"]
            guard allowed.contains(sort) else {
                throw ConfigurationError(file: file, key: "\(path).sort", problem: "expected one of \(allowed.joined(separator: ", ")), got \"\(sort)\"")
            }
            hub.query.sort = sort
        }
        hub.query.limit = try reader.int(table, "limit", at: path, minimum: 1)
        if let size = try reader.int(table, "page_size", at: path, minimum: 1) { hub.pageSize = min(size, 1000) }
        if let value = table["skip_unchanged"] {
            guard let flag = value.bool else {
                throw ConfigurationError(file: file, key: "\(path).skip_unchanged", problem: "expected true or false, got \(value.type)")
            }
            hub.skipUnchanged = flag
        }
    }

    func discover(_ discovery: Discovery) throws -> Discovery.Result {
        let listed = try adapter(discovery).discover(client: discovery.client)
        return Discovery.Result(packages: listed.packages, problems: listed.problems, complete: listed.complete)
    }

    func lookup(_ id: String, discovery: Discovery) throws -> HuggingFaceHub.Lookup? {
        try adapter(discovery).lookup(id, client: discovery.client)
    }

    func defaultTokenVariable(environment: [String: String]) -> String? {
        environment["HF_TOKEN"].map { !$0.isEmpty } == true ? "HF_TOKEN" : nil
    }

    private func adapter(_ discovery: Discovery) throws -> HuggingFaceHub {
        let hub = discovery.hub
        var adapter = HuggingFaceHub(name: hub.name, endpoint: location(of: hub), query: hub.query,
                                     token: try hub.credentials(environment: discovery.environment)?.password)
        adapter.pageSize = hub.pageSize
        return adapter
    }
}
