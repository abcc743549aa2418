import Foundation
import SedimentHubs
import TOMLKit

/// `kind = "git"`: the operator lists repository URLs; each is one package.
struct GitKind: HubKind {
    let name = "git"
    let configurationKeys = ["repositories"]
    /// The URLs are the operator's own.
    var urlsAreOperatorChosen: Bool { true }
    let displayName = "Git"
    var idsAreOwnerAndName: Bool { true }

    /// A `git` hub is its list of repositories: it has no place of its own.
    func location(of hub: Configuration.Hub?) -> String { "git" }

    func configure(_ hub: inout Configuration.Hub, from table: TOMLTable, at path: String, reader: TableReader) throws {
        guard let repositories = try reader.strings(table, "repositories", at: path) else {
            throw ConfigurationError(file: reader.file, key: "\(path).repositories", problem: "missing: expected a list of repository URLs")
        }
        for (i, url) in repositories.enumerated() {
            if let problem = Configuration.repositoryProblem(url) {
                throw ConfigurationError(file: reader.file, key: "\(path).repositories[\(i)]", problem: problem)
            }
        }
        hub.repositories = repositories
    }

    func discover(_ discovery: Discovery) throws -> Discovery.Result {
        let listed = GitListHub(name: discovery.hub.name, repositories: discovery.hub.repositories).discover()
        return Discovery.Result(packages: listed.packages, problems: listed.problems, complete: true)
    }
}
