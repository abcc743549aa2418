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

    /// A `git` hub is its list of repositories: it has no place of its own (empty).
    func location(of hub: Configuration.Hub?) -> String { "" }

    /// `repositories` holds URLs, or tables `{ url = "…", id = "…" }` that name the package
    /// themselves (a local path, or the same path on two hosts, would otherwise get an id
    /// from its path alone).
    func configure(_ hub: inout Configuration.Hub, from table: TOMLTable, at path: String, reader: TableReader) throws {
        guard let items = table["repositories"] else {
            throw ConfigurationError(file: reader.file, key: "\(path).repositories", problem: "missing: expected a list of repository URLs")
        }
        guard let array = items.array else {
            throw ConfigurationError(file: reader.file, key: "\(path).repositories",
                                     problem: "expected an array of repository URLs or { url = \"…\", id = \"…\" } tables, got \(items.type)")
        }
        var ids: [String: String] = [:]
        var named: [String: Int] = [:]
        for (i, item) in array.enumerated() {
            let at = "\(path).repositories[\(i)]"
            let url: String
            if let text = item.string {
                url = text
            } else if let entry = item.table {
                try reader.allowOnly(entry, ["url", "id"], at: at)
                guard let text = try reader.string(entry, "url", at: at) else {
                    throw ConfigurationError(file: reader.file, key: "\(at).url", problem: "missing: expected the repository's URL or path")
                }
                url = text
                if let id = try reader.string(entry, "id", at: at) {
                    if let problem = GitListHub.idProblem(id) {
                        throw ConfigurationError(file: reader.file, key: "\(at).id", problem: problem)
                    }
                    if let other = named[id] {
                        throw ConfigurationError(file: reader.file, key: "\(at).id",
                                                 problem: "the id \"\(id)\" is already \(path).repositories[\(other)]'s; each package needs its own")
                    }
                    named[id] = i
                    ids[url] = id
                }
            } else {
                throw ConfigurationError(file: reader.file, key: at,
                                         problem: "expected a repository URL or a { url = \"…\", id = \"…\" } table, got \(item.type)")
            }
            if let problem = Configuration.repositoryProblem(url) {
                throw ConfigurationError(file: reader.file, key: item.table == nil ? at : "\(at).url", problem: problem)
            }
            if let first = hub.repositories.firstIndex(of: url), ids[url] != nil || item.table != nil {
                throw ConfigurationError(file: reader.file, key: at,
                                         problem: "\"\(url)\" is already \(path).repositories[\(first)]; a repository is one package, under one id")
            }
            hub.repositories.append(url)
        }
        hub.repositoryIDs = ids
    }

    func discover(_ discovery: Discovery) throws -> Discovery.Result {
        let listed = GitListHub(name: discovery.hub.name, repositories: discovery.hub.repositories, ids: discovery.hub.repositoryIDs).discover()
        return Discovery.Result(packages: listed.packages, problems: listed.problems, complete: true)
    }
}
