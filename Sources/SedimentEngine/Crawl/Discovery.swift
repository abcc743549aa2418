import Foundation
import SedimentHTTP
import SedimentHubs
import SedimentStore

/// Turns one configured hub into its packages, with the hub adapter of its kind.
struct Discovery {
    let archive: Archive
    let hub: Configuration.Hub
    /// The crawl's fetches: an index that is also the packages' repository is fetched once.
    let fetches: FetchCache
    let client: HTTPClient
    let environment: [String: String]

    struct Result {
        var packages: [PackageRef]
        var problems: [HubProblem]
        /// Whether the listing is the hub's whole list (so an absent package may be gone).
        var complete: Bool
    }

    func discover() throws -> Result {
        switch hub.kind {
        case "git":
            let listed = GitListHub(name: hub.name, repositories: hub.repositories).discover()
            return Result(packages: listed.packages, problems: listed.problems, complete: true)
        case "huggingface":
            let listed = try huggingFace().discover(client: client)
            return Result(packages: listed.packages, problems: listed.problems, complete: listed.complete)
        case "modelzoo":
            var adapter = ModelZooHub(name: hub.name, endpoint: hub.endpoint ?? "https://modelzoo.co")
            adapter.cache = CatalogResponseCache(catalog: archive.catalog)
            let listed = try adapter.discover(client: client)
            return Result(packages: listed.packages, problems: listed.problems, complete: true)
        case "onnx-model-zoo":
            let repository = hub.index ?? "https://github.com/onnx/models"
            let (mirror, head) = try index().fetchHead()
            if let manifest = try index().read(ONNXModelZooIndex.manifestPath, in: mirror, at: head) {
                let listed = try ONNXModelZooIndex.packages(hub: hub.name, repository: repository, manifest: manifest,
                                                            limits: client.configuration.limits.json)
                return Result(packages: listed.packages, problems: listed.problems, complete: true)
            }
            let paths = try mirror.files(of: head).map(\.path)
            return Result(packages: ONNXModelZooIndex.packages(hub: hub.name, repository: repository, filePaths: paths), problems: [], complete: true)
        case "modelhub":
            let data = try index().file("models.json")
            let listed = try ModelhubIndex.packages(hub: hub.name, modelsJSON: data, limits: client.configuration.limits.json)
            return Result(packages: listed.packages, problems: listed.problems, complete: true)
        case "pytorch-hub":
            let cards = try index().topLevelFiles(endingWith: ".md")
            let listed = PyTorchHubIndex.packages(hub: hub.name, cards: cards)
            return Result(packages: listed.packages, problems: listed.problems, complete: true)
        default:
            throw HubError(hub: hub.name, problem: "hub kind \(hub.kind) cannot be crawled by this version")
        }
    }

    /// What the hub says now of a package it no longer lists: gone, restricted, or still there.
    func lookup(_ id: String) throws -> HuggingFaceHub.Lookup? {
        guard hub.kind == "huggingface" else { return nil }
        return try huggingFace().lookup(id, client: client)
    }

    private func index() -> IndexRepository {
        IndexRepository(archive: archive, hub: hub, url: hub.index ?? "", fetches: fetches)
    }

    private func huggingFace() throws -> HuggingFaceHub {
        var adapter = HuggingFaceHub(name: hub.name, endpoint: hub.endpoint ?? "https://huggingface.co", query: hub.query,
                                     token: try hub.credentials(environment: environment)?.password)
        adapter.pageSize = hub.pageSize
        return adapter
    }
}
