import Foundation
import SedimentHubs
import TOMLKit

/// `kind = "onnx-model-zoo"`: the models of the ONNX Model Zoo repository, from its manifest
/// or, without one, from the `.onnx` files it holds.
struct ONNXModelZooKind: HubKind {
    let name = "onnx-model-zoo"
    let configurationKeys = ["repository"]
    let displayName = "ONNX Model Zoo"
    static let defaultRepository = "https://github.com/onnx/models"

    func location(of hub: Configuration.Hub?) -> String { hub?.index ?? Self.defaultRepository }

    func configure(_ hub: inout Configuration.Hub, from table: TOMLTable, at path: String, reader: TableReader) throws {
        hub.index = try reader.repository(table, "repository", at: path, fallback: Self.defaultRepository, role: "the model zoo's repository")
    }

    func discover(_ discovery: Discovery) throws -> Discovery.Result {
        let hub = discovery.hub
        let repository = location(of: hub)
        let index = discovery.index()
        let (mirror, head) = try index.fetchHead()
        if let manifest = try index.read(ONNXModelZooIndex.manifestPath, in: mirror, at: head) {
            let listed = try ONNXModelZooIndex.packages(hub: hub.name, repository: repository, manifest: manifest,
                                                        limits: discovery.client.configuration.limits.json)
            return Discovery.Result(packages: listed.packages, problems: listed.problems, complete: true)
        }
        let paths = try mirror.files(of: head).map(\.path)
        return Discovery.Result(packages: ONNXModelZooIndex.packages(hub: hub.name, repository: repository, filePaths: paths),
                                problems: [], complete: true)
    }
}
