/// Which refs a mirror follows: glob patterns such as `refs/heads/*`, plus exclusions.
public struct RefPatterns: Sendable, Equatable {
    public var include: [String]
    public var exclude: [String]

    /// Heads and tags, without the forge-generated refs nobody pushed.
    public static let `default` = RefPatterns(include: ["refs/heads/*", "refs/tags/*"], exclude: [])

    /// Refs a forge generates (merge previews, pipelines, reviews); never followed.
    public static let alwaysExcluded = ["refs/pull/*/merge", "refs/merge-requests/*/merge", "refs/pipelines/*", "refs/changes/*"]

    public init(include: [String], exclude: [String]) {
        self.include = include
        self.exclude = exclude
    }

    public func matches(_ name: String) -> Bool {
        if name.hasSuffix("^{}") { return false }
        if (exclude + Self.alwaysExcluded).contains(where: { Glob.matches($0, name) }) { return false }
        return include.contains { Glob.matches($0, name) }
    }

    /// The forced refspecs that map every included ref onto itself.
    var refspecs: [String] { include.map { "+\($0):\($0)" } }
}

/// Minimal glob matching for ref patterns: `*` matches any run of characters (including `/`).
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.utf8), t = Array(text.utf8)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == UInt8(ascii: "*") {
                star = pi; mark = ti; pi += 1
            } else if pi < p.count, p[pi] == UInt8(ascii: "?") || p[pi] == t[ti] {
                pi += 1; ti += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}
