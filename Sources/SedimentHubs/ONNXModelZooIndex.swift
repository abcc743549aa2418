import Foundation

/// The `onnx-model-zoo` hub: one repository (`onnx/models`) holding every package. The
/// packages are the entries of `ONNX_HUB_MANIFEST.json` at its head (`model`, `model_path`,
/// `onnx_version`, `opset_version`, `metadata: {model_sha, model_bytes, tags, io_ports}`); a
/// package's id is its `model_path` and its subpath the folder of that path.
public enum ONNXModelZooIndex {
    public static let manifestPath = "ONNX_HUB_MANIFEST.json"

    public static func packages(hub: String, repository: String, manifest data: Data) throws -> (packages: [PackageRef], problems: [HubProblem]) {
        guard let entries = (try? JSONSerialization.jsonObject(with: data)) as? [Any] else {
            throw HubError(hub: hub, problem: "\(manifestPath) is not a JSON array")
        }
        var packages: [PackageRef] = []
        var problems: [HubProblem] = []
        var seen = Set<String>()
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
            guard seen.insert(path).inserted else { continue }
            var metadata: [String: Any] = [:]
            for key in ["model", "model_path", "onnx_version", "opset_version"] { metadata[key] = object[key] }
            if let inner = object["metadata"] as? [String: Any] {
                for key in ["model_sha", "model_bytes", "tags"] { metadata[key] = inner[key] }
                metadata["io_ports"] = inner["io_ports"]
            }
            metadata = metadata.filter { !($0.value is NSNull) }
            packages.append(PackageRef(hub: hub, id: path, repository: repository, subpath: parts.dropLast().joined(separator: "/"),
                                       metadata: canonicalJSON(metadata)))
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
