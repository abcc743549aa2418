import Foundation
import SedimentHTTP

/// The `modelhub` hub: the index repository's `models.json`, an array of
/// `{id, name, task_extended, github, github_branch, backend, gpu}`. Each entry is a package
/// named by `name`, living in the repository `github` with `github_branch` as its head.
public enum ModelhubIndex {
    /// The packages of `models.json`; entries that cannot be packages are problems. A file
    /// over `limits` fails the listing before it is decoded.
    public static func packages(hub: String, modelsJSON data: Data, limits: BoundedJSON.Limits = BoundedJSON.Limits()) throws
        -> (packages: [PackageRef], problems: [HubProblem]) {
        let entries = try IndexDocument.entries(of: data, file: "models.json", hub: hub, limits: limits)
        var packages: [PackageRef] = []
        var problems: [HubProblem] = []
        var seen = Set<String>()
        for (index, entry) in entries.enumerated() {
            guard let object = entry as? [String: Any] else {
                problems.append(HubProblem(hub: hub, item: "models.json[\(index)]", problem: "not a JSON object"))
                continue
            }
            guard let name = (object["name"] as? String)?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
                problems.append(HubProblem(hub: hub, item: "models.json[\(index)]", problem: "has no \"name\""))
                continue
            }
            guard let github = object["github"] as? String, let url = URL(string: github), ["http", "https"].contains(url.scheme ?? ""),
                  url.host != nil else {
                problems.append(HubProblem(hub: hub, item: name, problem: "has no usable \"github\" repository URL"))
                continue
            }
            guard seen.insert(name).inserted else {
                problems.append(HubProblem(hub: hub, item: name, problem: "is listed twice; the first entry is used"))
                continue
            }
            var branch = (object["github_branch"] as? String)?.trimmingCharacters(in: .whitespaces)
            if branch?.isEmpty == true || branch.map(isUnsafeBranch) == true { branch = nil }
            packages.append(PackageRef(hub: hub, id: name, repository: github, metadata: canonicalJSON(object), branch: branch))
        }
        return (packages, problems)
    }

    private static func isUnsafeBranch(_ name: String) -> Bool {
        name.contains("..") || name.hasPrefix("/") || name.contains(" ") || name.contains(":")
    }
}

/// Canonical JSON text (sorted keys) of a decoded JSON value.
func canonicalJSON(_ value: Any) -> String? {
    guard JSONSerialization.isValidJSONObject(value),
          let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else { return nil }
    return String(decoding: data, as: UTF8.self)
}
