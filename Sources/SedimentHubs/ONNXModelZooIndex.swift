import Foundation

/// The `onnx-model-zoo` hub: one repository (`onnx/models`) holding every package. The
/// packages are the entries of `ONNX_HUB_MANIFEST.json` at its head (`model`, `model_path`,
/// `onnx_version`, `opset_version`, `metadata: {model_sha, model_bytes, tags, io_ports,
/// model_with_data_path, model_with_data_sha, model_with_data_bytes}`); a package's id is its
/// `model_path`.
///
/// Most folders hold several entries (`vgg/model/` holds twelve), so a package is its entry,
/// not its folder: its `model_path`, its `model_with_data_path`, and the folder's files that
/// are not another entry's weights; the model's `README.md` one level up (the Zoo keeps
/// weights in a `model/` folder beside it) is its card.
public enum ONNXModelZooIndex {
    public static let manifestPath = "ONNX_HUB_MANIFEST.json"

    public static func packages(hub: String, repository: String, manifest data: Data) throws -> (packages: [PackageRef], problems: [HubProblem]) {
        guard let entries = (try? JSONSerialization.jsonObject(with: data)) as? [Any] else {
            throw HubError(hub: hub, problem: "\(manifestPath) is not a JSON array")
        }
        var packages: [PackageRef] = []
        var problems: [HubProblem] = []
        var seen = Set<String>()
        // Every entry's weights, so each package can leave out the other entries' files of its folder.
        let weights: [(model: String, files: [String])] = entries.compactMap { entry in
            guard let object = entry as? [String: Any], let path = object["model_path"] as? String else { return nil }
            let withData = (object["metadata"] as? [String: Any])?["model_with_data_path"] as? String
            return (path, [path] + (withData.map { [$0] } ?? []))
        }
        for (index, entry) in entries.enumerated() {
            guard let object = entry as? [String: Any], let path = object["model_path"] as? String else {
                problems.append(HubProblem(hub: hub, item: "\(manifestPath)[\(index)]", problem: "has no \"model_path\""))
                continue
            }
            let parts = path.split(separator: "/").map(String.init)
            guard parts.count >= 2, !parts.contains(".."), !parts.contains("."), !path.hasPrefix("/") else {
                problems.append(HubProblem(hub: hub, item: path, problem: "is not a path inside a model folder"))
                continue
            }
            guard seen.insert(path).inserted else {
                problems.append(HubProblem(hub: hub, item: path, problem: "is listed twice; the first entry is used"))
                continue
            }
            let folder = parts.dropLast().joined(separator: "/")
            let own = Set(weights.first { $0.model == path }?.files ?? [path])
            let excluded = weights.filter { $0.model != path }.flatMap(\.files)
                .filter { !own.contains($0) && $0.hasPrefix(folder + "/") }
                .map { String($0.dropFirst(folder.count + 1)) }
            var metadata: [String: Any] = [:]
            for key in ["model", "model_path", "onnx_version", "opset_version"] { metadata[key] = object[key] }
            if let inner = object["metadata"] as? [String: Any] {
                for key in ["model_sha", "model_bytes", "tags", "io_ports", "model_with_data_path", "model_with_data_sha", "model_with_data_bytes"] {
                    metadata[key] = inner[key]
                }
            }
            metadata = metadata.filter { !($0.value is NSNull) }
            var package = PackageRef(hub: hub, id: path, repository: repository, subpath: folder, metadata: canonicalJSON(metadata))
            package.excludedPaths = excluded
            if parts.count >= 3, parts[parts.count - 2] == "model" { package.cardPath = "../README.md" }
            packages.append(package)
        }
        return (packages, problems)
    }

    /// Without a manifest: every folder holding `.onnx` files is a package (id = subpath = the folder).
    public static func packages(hub: String, repository: String, filePaths: [String]) -> [PackageRef] {
        let folders = Set(filePaths.filter { $0.hasSuffix(".onnx") && $0.contains("/") }.map { path in
            String(path[..<path.lastIndex(of: "/")!])
        })
        return folders.sorted().map { PackageRef(hub: hub, id: $0, repository: repository, subpath: $0) }
    }
}
