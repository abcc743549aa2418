import Foundation

/// The `git` hub: a plain list of repository URLs, one package per URL.
public struct GitListHub: Sendable {
    public var name: String
    public var repositories: [String]

    public init(name: String, repositories: [String]) {
        self.name = name
        self.repositories = repositories
    }

    /// The packages of the list, and the entries that cannot be packages (two URLs with the
    /// same id, say). Order follows the list.
    public func discover() -> (packages: [PackageRef], problems: [HubProblem]) {
        var seen: [String: String] = [:]
        var packages: [PackageRef] = []
        var problems: [HubProblem] = []
        for url in repositories {
            let trimmed = url.trimmingCharacters(in: .whitespaces)
            let id = Self.packageID(for: trimmed)
            if let first = seen[id] {
                if first != trimmed {
                    problems.append(HubProblem(hub: name, item: trimmed, problem: "has the same package id \"\(id)\" as \(first); skipped"))
                }
                continue
            }
            seen[id] = trimmed
            packages.append(PackageRef(hub: name, id: id, repository: trimmed))
        }
        return (packages, problems)
    }

    /// The package id of a plain git repository: its URL's path without `.git`
    /// (`https://host/org/model-a.git` → `org/model-a`, `git@host:org/b` → `org/b`).
    public static func packageID(for url: String) -> String {
        var path = Substring(url)
        if let scheme = url.range(of: "://") {
            let rest = url[scheme.upperBound...]
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            path = rest[slash...]
        } else if !url.hasPrefix("/"), let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/") {
            path = url[url.index(after: colon)...]
        }
        var trimmed = path.split(separator: "/").filter { !$0.isEmpty && $0 != "." }.joined(separator: "/")
        if trimmed.hasSuffix(".git") { trimmed.removeLast(4) }
        return trimmed.isEmpty ? url : trimmed
    }
}
