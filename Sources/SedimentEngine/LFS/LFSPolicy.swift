import Foundation

/// Which LFS objects the archive keeps (`[storage] lfs`, `lfs_max_bytes`, `lfs_include`).
///
/// With `lfs = "fetch"`, an object is fetched when it is at most `lfs_max_bytes` (0: no limit)
/// and its path matches one of `lfs_include` (empty: every path). A pattern without `/`
/// matches the file's name in any folder (`*.safetensors`); a pattern with `/` matches the
/// whole path from the package's root, `*` and `?` crossing folders (`onnx/*`, `*/fp16/*`).
/// Objects outside the policy are recorded as pointers only, as with `lfs = "pointers"`.
public struct LFSPolicy: Sendable, Equatable {
    public var fetch: Bool
    public var maxBytes: Int64
    public var include: [String]

    public init(fetch: Bool, maxBytes: Int64 = 0, include: [String] = []) {
        self.fetch = fetch
        self.maxBytes = maxBytes
        self.include = include
    }

    public init(_ storage: Configuration.Storage) {
        self.init(fetch: storage.lfs == "fetch", maxBytes: storage.lfsMaxBytes, include: storage.lfsInclude)
    }

    /// Whether the object of the pointer at `path`, of `size` bytes, is fetched.
    public func selects(path: String, size: Int64) -> Bool {
        guard fetch else { return false }
        if maxBytes > 0 && size > maxBytes { return false }
        if include.isEmpty { return true }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return include.contains { pattern in
            pattern.contains("/") ? fnmatch(pattern, path, 0) == 0 : fnmatch(pattern, name, 0) == 0
        }
    }
}
