import Foundation
import SedimentHubs
import TOMLKit

/// `kind = "modelhub"`: the models `models.json` of the Modelhub index repository lists.
struct ModelhubKind: HubKind {
    let name = "modelhub"
    let configurationKeys = ["index"]
    let displayName = "Modelhub"
    static let defaultIndex = "https://github.com/modelhub-ai/modelhub"

    func location(of hub: Configuration.Hub?) -> String { hub?.index ?? Self.defaultIndex }

    func configure(_ hub: inout Configuration.Hub, from table: TOMLTable, at path: String, reader: TableReader) throws {
        hub.index = try IndexSetting.read(table, at: path, reader: reader, fallback: Self.defaultIndex)
    }

    func discover(_ discovery: Discovery) throws -> Discovery.Result {
        let data = try discovery.index().file("models.json")
        let listed = try ModelhubIndex.packages(hub: discovery.hub.name, modelsJSON: data, limits: discovery.client.configuration.limits.json)
        return Discovery.Result(packages: listed.packages, problems: listed.problems, complete: true)
    }
}

/// The `index` key of the index hubs: the index repository, checked like any repository.
enum IndexSetting {
    static func read(_ table: TOMLTable, at path: String, reader: TableReader, fallback: String) throws -> String {
        let index = try reader.string(table, "index", at: path) ?? fallback
        if let problem = Configuration.repositoryProblem(index) {
            throw ConfigurationError(file: reader.file, key: "\(path).index", problem: problem + " (the index repository)")
        }
        return index
    }
}
