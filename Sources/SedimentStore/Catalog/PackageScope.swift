import Foundation

/// Which files of its repository a package is: everything under ``subpath`` (the whole tree
/// when empty), less the ``excluded`` paths, plus a ``card`` read from outside the subpath.
///
/// A package of a shared folder is narrower than the folder: an ONNX Model Zoo entry is its
/// own `model_path` and `model_with_data_path` and the folder's other files, not the weights
/// of the other entries in the folder, and the model's `README.md` one level up is its card.
/// Paths in ``excluded`` and ``card`` are relative to ``subpath``; ``card`` may climb with
/// `../`, and the package's manifest lists it under that relative path.
public struct PackageScope: Sendable, Hashable {
    public let subpath: String
    /// Files under the subpath that belong to other packages, relative to it, sorted.
    public let excluded: [String]
    /// A file outside the subpath that is the package's card (`../README.md`), if any.
    public let card: String?
    private let excludedSet: Set<String>

    public init(subpath: String, excluded: [String] = [], card: String? = nil) {
        self.subpath = subpath.split(separator: "/").joined(separator: "/")
        excludedSet = Set(excluded)
        self.excluded = excludedSet.sorted()
        self.card = card
    }

    /// Whether the scope is its whole subpath.
    public var isWholeSubpath: Bool { excluded.isEmpty && card == nil }

    /// The key a manifest of this scope is recorded under (`manifest.subpath`): the subpath
    /// itself for a whole subpath, else the subpath, `#` and a digest of the scope, so a
    /// folder's entries and the folder never share a manifest row.
    public var manifestKey: String {
        isWholeSubpath ? subpath : subpath + "#" + String(ContentID.of(Data(serialized!.utf8)).hex.prefix(16))
    }

    /// The scope as stored in `package.scope` (JSON `{"card":…,"excluded":[…]}`); nil for a whole subpath.
    public var serialized: String? {
        guard !isWholeSubpath else { return nil }
        return JSONValue.object([("card", .optional(card)), ("excluded", .array(excluded.map(JSONValue.string)))]).serialized()
    }

    /// The scope of `subpath` stored as `serialized` (nil or unreadable: the whole subpath).
    public init(subpath: String, serialized: String?) {
        guard let serialized, let data = serialized.data(using: .utf8),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            self.init(subpath: subpath)
            return
        }
        self.init(subpath: subpath, excluded: object["excluded"] as? [String] ?? [], card: object["card"] as? String)
    }

    /// The repository path of the card, when there is one (`a/b/model` + `../README.md` → `a/b/README.md`).
    public var cardPath: String? {
        guard let card else { return nil }
        var parts = subpath.split(separator: "/").map(String.init)
        for part in card.split(separator: "/").map(String.init) {
            if part == ".." { if !parts.isEmpty { parts.removeLast() } } else if part != "." { parts.append(part) }
        }
        return parts.joined(separator: "/")
    }

    /// Whether a repository path belongs to the package.
    public func contains(repositoryPath path: String) -> Bool {
        if path == cardPath { return true }
        guard let relative = relativePath(path) else { return false }
        return !excludedSet.contains(relative)
    }

    /// `path` relative to the subpath, when it lies under it.
    public func relativePath(_ path: String) -> String? {
        if subpath.isEmpty { return path }
        guard path.hasPrefix(subpath + "/") else { return nil }
        return String(path.dropFirst(subpath.count + 1))
    }

    /// Whether a path relative to the subpath (as the tree walk gives it) belongs to the package.
    public func contains(relativePath path: String) -> Bool { !excludedSet.contains(path) }
}
