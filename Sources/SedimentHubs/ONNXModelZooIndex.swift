import Foundation
import SedimentHTTP

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
    /// The most files all packages together may leave out as other entries' weights: a folder
    /// of n entries makes n² of them (the Zoo's largest folder holds twelve).
    public static let maxExcludedPaths = 1_000_000

    /// The packages of the manifest; a manifest over `limits` fails the listing before it is decoded.
    public static func packages(hub: String, repository: String, manifest data: Data, limits: BoundedJSON.Limits = BoundedJSON.Limits()) throws
        -> (packages: [PackageRef], problems: [HubProblem]) {
        let entries = try IndexDocument.entries(of: data, file: manifestPath, hub: hub, limits: limits)
        var packages: [PackageRef] = []
        var problems: [HubProblem] = []
        var seen = Set<String>()
        // Every entry's weights, so each package can leave out the other entries' files of its folder.
        let weights: [(model: String, files: [String])] = entries.compactMap { entry in
            guard let object = entry as? [String: Any], let path = object["model_path"] as? String else { return nil }
            let withData = (object["metadata"] as? [String: Any])?["model_with_data_path"] as? String
            return (path, [path] + (withData.map { [$0] } ?? []))
        }
        // The weights by the entry folders holding them (at any depth), so that finding a
        // package's excluded files costs what it finds, not a pass over every entry.
        let folders = Set(weights.map { Substring($0.model.split(separator: "/").dropLast().joined(separator: "/")) })
        var firstFiles: [String: [String]] = [:]
        var holders: [Substring: [(model: String, file: String)]] = [:]
        for weight in weights {
            if firstFiles[weight.model] == nil { firstFiles[weight.model] = weight.files }
            for file in weight.files {
                var cursor = file.startIndex
                while let slash = file[cursor...].firstIndex(of: "/") {
                    if folders.contains(file[..<slash]) { holders[file[..<slash], default: []].append((weight.model, file)) }
                    cursor = file.index(after: slash)
                }
            }
        }
        var excludedTotal = 0
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
            let own = Set(firstFiles[path] ?? [path])
            let excluded = (holders[Substring(folder)] ?? []).filter { $0.model != path && !own.contains($0.file) }
                .map { String($0.file.dropFirst(folder.count + 1)) }
            excludedTotal += excluded.count
            guard excludedTotal <= maxExcludedPaths else {
                throw HubError(hub: hub, problem: "\(manifestPath) puts too many entries in one folder: their packages would exclude "
                               + "more than \(maxExcludedPaths) other entries' files")
            }
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
