import Crypto
import Foundation
import SedimentEngine
import SedimentStore

/// An answer of the Hugging Face–compatible endpoint, before it becomes an HTTP response.
enum HubAnswer {
    case json(JSONValue, headers: [(String, String)] = [])
    /// An error as the Hub gives it: `X-Error-Code` and `X-Error-Message`, and `{"error": …}`.
    case error(status: Int, code: String?, message: String, headers: [(String, String)] = [])
    /// An archived file's content.
    case file(ServedFile)
}

/// One archived file to send: where its content is, and the Hub's headers for it.
struct ServedFile {
    var source: PackageContent.Source
    var size: Int64
    var commit: String
    /// The git blob id, or for a Git LFS file the object's SHA-256.
    var etag: String
    var lfs: Bool
}

/// The subset of the Hugging Face Hub's API that `huggingface_hub` uses to find and download
/// models, answered from the archive alone (`docs/serve.md` lists it). Every call blocks (it
/// reads the catalog, the store or a mirror): it runs on the blocking pool.
struct HubAPI {
    let archive: Archive
    let index: ArchiveIndex.State
    let manifests: ManifestCache
    /// `http://HOST:PORT` as the client addressed the server, for `Link` headers.
    let origin: String

    static let pageSize = 1000

    /// `/api/models[/…]`: `segments` are the decoded path segments after `models`.
    func models(_ segments: [String], query: [String: [String]]) throws -> HubAnswer {
        if segments.isEmpty { return list(query) }
        guard let (package, rest) = package(in: segments) else {
            return .error(status: 404, code: "RepoNotFound", message: "Repository not found: no archived package is served as \(segments.prefix(2).joined(separator: "/"))")
        }
        switch rest.first {
        case nil: return try info(package, revision: nil, blobs: query["blobs"]?.first == "true")
        case "revision" where rest.count >= 2:
            return try info(package, revision: rest[1...].joined(separator: "/"), blobs: query["blobs"]?.first == "true")
        case "tree" where rest.count >= 2:
            return try tree(package, revision: rest[1], path: rest[2...].joined(separator: "/"), recursive: query["recursive"]?.first == "true", query: query)
        case "refs" where rest.count == 1: return try refs(package)
        case "commits" where rest.count >= 2: return try commits(package, revision: rest[1...].joined(separator: "/"), query: query)
        default: return .error(status: 404, code: nil, message: "Sediment does not serve \(rest.joined(separator: "/")) (see docs/serve.md)")
        }
    }

    /// The package served under the first one or two of `segments`, and the segments after its id.
    func package(in segments: [String]) -> (PackageRecord, [String])? {
        for n in [2, 1] where segments.count >= n {
            if let row = index.ids.package(segments[0..<n].joined(separator: "/")), let summary = index.summary(row) {
                return (summary.package, Array(segments[n...]))
            }
        }
        return nil
    }

    // MARK: - Lists

    private func list(_ query: [String: [String]]) -> HubAnswer {
        let author = query["author"]?.first
        let filters = query["filter"] ?? []
        var matching: [(PackageSummary, String)] = []
        for i in index.matching(query["search"]?.first ?? "", in: index.idKeys) {
            let s = index.summaries[i], id = index.servedIDs[i]
            if let author, !id.hasPrefix(author + "/") { continue }
            if !filters.isEmpty {
                let tags = Set(Self.tags(s))
                if !filters.allSatisfy(tags.contains) { continue }
            }
            matching.append((s, id))
        }
        let descending = (query["direction"]?.first ?? "-1") == "-1"
        switch query["sort"]?.first {
        case "downloads": matching.sort { order($0.0.downloads ?? -1, $1.0.downloads ?? -1, $0.1, $1.1, descending) }
        case "likes": matching.sort { order($0.0.likes ?? -1, $1.0.likes ?? -1, $0.1, $1.1, descending) }
        case "lastModified": matching.sort { order($0.0.package.lastSeen, $1.0.package.lastSeen, $0.1, $1.1, descending) }
        case "createdAt": matching.sort { order($0.0.package.firstSeen, $1.0.package.firstSeen, $0.1, $1.1, descending) }
        default: break
        }
        let limit = query["limit"]?.first.flatMap(Int.init).map { max(0, $0) }
        let total = min(matching.count, limit ?? Int.max)
        let start = min(total, max(0, query["cursor"]?.first.flatMap(Int.init) ?? 0))
        let end = min(total, start + Self.pageSize)
        let items = matching[start..<end].map { s, id in JSONValue.object(modelFields(s, id: id)) }
        return .json(.array(items), headers: linkNext(path: "/api/models", query: query, cursor: end, more: end < total))
    }

    private func order<T: Comparable>(_ a: T, _ b: T, _ idA: String, _ idB: String, _ descending: Bool) -> Bool {
        a == b ? idA < idB : (descending ? a > b : a < b)
    }

    /// `Link: <…&cursor=N>; rel="next"` when there is more: absolute, with every parameter.
    func linkNext(path: String, query: [String: [String]], cursor: Int, more: Bool) -> [(String, String)] {
        guard more else { return [] }
        var parts: [String] = []
        for (key, values) in query.sorted(by: { $0.key < $1.key }) where key != "cursor" {
            for value in values { parts.append(HTML.component(key) + "=" + HTML.component(value)) }
        }
        parts.append("cursor=\(cursor)")
        return [("Link", "<\(origin)\(path)?\(parts.joined(separator: "&"))>; rel=\"next\"")]
    }

    /// A package's fields as the Hub lists a model.
    func modelFields(_ s: PackageSummary, id: String) -> [(String, JSONValue)] {
        let digest = SHA256.hash(data: Data(s.package.qualifiedName.utf8)).map { String(format: "%02x", $0) }.joined()
        var fields: [(String, JSONValue)] = [
            ("_id", .string(String(digest.prefix(24)))), ("id", .string(id)), ("modelId", .string(id)),
            ("author", .optional(id.contains("/") ? String(id.split(separator: "/")[0]) : nil)),
            ("private", .bool(false)), ("gated", .bool(s.package.gated)), ("disabled", .bool(false)),
            ("downloads", .int(s.downloads ?? 0)), ("likes", .int(s.likes ?? 0)),
            ("tags", .array(Self.tags(s).map(JSONValue.string))),
            ("createdAt", .string(Self.hubDate(s.package.firstSeen))),
        ]
        if let tag = s.pipelineTag { fields.append(("pipeline_tag", .string(tag))) }
        if let library = s.libraryName { fields.append(("library_name", .string(library))) }
        fields.append(("sediment", .object([
            ("package", .string(s.package.qualifiedName)), ("deleted_upstream", .bool(s.package.deleted)),
            ("first_seen", .string(s.package.firstSeen)), ("last_seen", .string(s.package.lastSeen)),
        ])))
        return fields
    }

    /// The card's tags, with the licence as the Hub adds it (`license:mit`).
    static func tags(_ s: PackageSummary) -> [String] {
        var tags = (s.tags.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [Any] } ?? []).compactMap { $0 as? String }
        if let library = s.libraryName, !tags.contains(library) { tags.append(library) }
        if let license = s.license, !tags.contains("license:" + license) { tags.append("license:" + license) }
        return tags
    }

    /// A catalog timestamp as the Hub writes dates (ending in `Z`, milliseconds).
    static func hubDate(_ timestamp: String) -> String {
        guard let date = Catalog.date(timestamp) else { return timestamp }
        return hubDate(date)
    }

    /// The Hub's form of an instant is the catalog's (ISO 8601, UTC, milliseconds).
    static func hubDate(_ date: Date) -> String {
        Catalog.timestamp(date)
    }
}
