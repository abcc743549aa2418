import Foundation

/// The `git` hub: a plain list of repository URLs, one package per URL.
public struct GitListHub: Sendable {
    public var name: String
    public var repositories: [String]
    /// The ids given to repositories (by URL); the others are named by ``packageID(for:)``.
    public var ids: [String: String]

    public init(name: String, repositories: [String], ids: [String: String] = [:]) {
        self.name = name
        self.repositories = repositories
        self.ids = ids
    }

    /// The packages of the list, and the entries that cannot be packages (two URLs with the
    /// same id, say). Order follows the list.
    public func discover() -> (packages: [PackageRef], problems: [HubProblem]) {
        var seen: [String: String] = [:]
        var packages: [PackageRef] = []
        var problems: [HubProblem] = []
        for url in repositories {
            let trimmed = url.trimmingCharacters(in: .whitespaces)
            let id = ids[url] ?? Self.packageID(for: trimmed)
            if let first = seen[id] {
                if first != trimmed {
                    problems.append(HubProblem(hub: name, item: trimmed, problem: "has the same package id \"\(id)\" as \(first); skipped "
                                               + "(name each with a table: { url = \"\(trimmed)\", id = \"…\" })"))
                }
                continue
            }
            seen[id] = trimmed
            packages.append(PackageRef(hub: name, id: id, repository: trimmed))
        }
        return (packages, problems)
    }

    /// Why `id` cannot name a package, or nil: an id is one or more segments separated by
    /// `/`, each of letters, digits, `-`, `_` and `.`, and none `.` or `..`.
    public static func idProblem(_ id: String) -> String? {
        let expected = "expected a package id such as \"org/model\" (segments of letters, digits, -, _ and . separated by /)"
        let segments = id.split(separator: "/", omittingEmptySubsequences: false)
        guard !id.isEmpty, id.count <= 200 else { return expected + ", got \"\(id)\"" }
        for segment in segments {
            if segment.isEmpty || segment == "." || segment == ".." { return expected + ", got \"\(id)\" (an empty, . or .. segment)" }
            if !segment.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) }) {
                return expected + ", got \"\(id)\""
            }
        }
        return nil
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
