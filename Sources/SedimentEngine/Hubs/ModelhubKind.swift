import Foundation
import SedimentHubs
import TOMLKit

/// `kind = "modelhub"`: the models `models.json` of the Modelhub index repository lists.
struct ModelhubKind: IndexHubKind {
    let name = "modelhub"
    let displayName = "Modelhub"
    static let defaultIndex = "https://github.com/modelhub-ai/modelhub"

    func discover(_ discovery: Discovery) throws -> Discovery.Result {
        let data = try discovery.index().file("models.json")
        let listed = try ModelhubIndex.packages(hub: discovery.hub.name, modelsJSON: data, limits: discovery.client.configuration.limits.json)
        return Discovery.Result(packages: listed.packages, problems: listed.problems, complete: true)
    }
}

/// A hub whose packages an index repository lists (`index = "…"`, a git repository URL).
protocol IndexHubKind: HubKind {
    /// The index repository when the configuration names none.
    static var defaultIndex: String { get }
}

extension IndexHubKind {
    var configurationKeys: [String] { ["index"] }

    func location(of hub: Configuration.Hub?) -> String { hub?.index ?? Self.defaultIndex }

    /// Reads `index`, checked like any repository URL.
    func configure(_ hub: inout Configuration.Hub, from table: TOMLTable, at path: String, reader: TableReader) throws {
        hub.index = try reader.repository(table, "index", at: path, fallback: Self.defaultIndex, role: "the index repository")
    }
}
