import Foundation
import SedimentGit
import SedimentHubs
import TOMLKit

/// `kind = "pytorch-hub"`: the models the cards of the PyTorch Hub index repository name.
/// A visit adds the entry points of the package's `hubconf.py` to the hub's metadata.
struct PyTorchHubKind: IndexHubKind {
    let name = "pytorch-hub"
    let displayName = "PyTorch Hub"
    static let defaultIndex = "https://github.com/pytorch/hub"

    func discover(_ discovery: Discovery) throws -> Discovery.Result {
        let cards = try discovery.index().topLevelFiles(endingWith: ".md")
        let listed = PyTorchHubIndex.packages(hub: discovery.hub.name, cards: cards)
        return Discovery.Result(packages: listed.packages, problems: listed.problems, complete: true)
    }

    /// The hub's metadata with `hubconf_entrypoints`: the entry points `hubconf.py` defines
    /// at `head` (null when the package has no `hubconf.py`).
    func metadata(_ metadata: String?, of ref: PackageRef, in repository: Repository, at head: ObjectID) throws -> String? {
        var object = metadata.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } ?? [:]
        let path = ref.subpath.isEmpty ? "hubconf.py" : ref.subpath + "/hubconf.py"
        object["hubconf_entrypoints"] = try repository.readFile(path, at: head).map(HubconfEntrypoints.parse) ?? NSNull()
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return metadata }
        return String(decoding: data, as: UTF8.self)
    }
}
