import Crypto
import Foundation
import SedimentEngine
import SedimentStore

/// The calls about one revision of a package: its info, tree, refs, commits and files.
extension HubAPI {
    /// A revision resolved to a commit, or the Hub's `RevisionNotFound`.
    func resolve(_ package: PackageRecord, _ revision: String?) -> Result<ResolvedRevision, HubError> {
        do {
            return .success(try RevisionResolver(archive: archive, package: package).resolve(revision))
        } catch {
            return .failure(HubError(status: 404, code: "RevisionNotFound", message: "Invalid rev id: \(revision ?? "main"): \(error)"))
        }
    }

    func info(_ package: PackageRecord, revision: String?, blobs: Bool) throws -> HubAnswer {
        let commit: String
        switch resolve(package, revision) {
        case .success(let resolved): commit = resolved.commit
        case .failure(let error): return error.answer
        }
        let manifest = try manifests.manifest(archive, package, commit: commit)
        guard let summary = index.summary(package.rowID), let id = index.ids.name(of: package.rowID) else {
            return .error(status: 404, code: "RepoNotFound", message: "Repository not found")
        }
        var fields = modelFields(summary, id: id)
        fields.append(("sha", .string(commit)))
        if let record = try archive.catalog.commitRecord(commit) {
            fields.append(("lastModified", .string(Self.hubDate(Date(timeIntervalSince1970: TimeInterval(record.committerTime))))))
        }
        fields.append(("siblings", .array(manifest.entries.filter(Self.offered).map { e in
            var sibling: [(String, JSONValue)] = [("rfilename", .string(e.path))]
            if blobs {
                sibling += [("blobId", .string(e.blob)), ("size", .int(e.lfsSize ?? e.size))]
                if let oid = e.lfsOID {
                    sibling.append(("lfs", .object([("sha256", .string(oid.hex)), ("size", .int(e.lfsSize ?? 0)), ("pointerSize", .int(e.size))])))
                }
            }
            return .object(sibling)
        })))
        return .json(.object(fields))
    }

    func tree(_ package: PackageRecord, revision: String, path: String, recursive: Bool, query: [String: [String]]) throws -> HubAnswer {
        let commit: String
        switch resolve(package, revision) {
        case .success(let resolved): commit = resolved.commit
        case .failure(let error): return error.answer
        }
        let manifest = try manifests.manifest(archive, package, commit: commit)
        let prefix = path.split(separator: "/").joined(separator: "/")
        let files = manifest.entries.filter(Self.offered)
        var folders = Set<String>()
        for e in files {
            var parts = e.path.split(separator: "/").dropLast()
            while !parts.isEmpty { folders.insert(parts.joined(separator: "/")); parts = parts.dropLast() }
        }
        let base = prefix.isEmpty ? "" : prefix + "/"
        if !prefix.isEmpty && !folders.contains(prefix) {
            return .error(status: 404, code: "EntryNotFound", message: "\(prefix) does not exist on \(revision)", headers: [("X-Repo-Commit", commit)])
        }
        func inside(_ p: String) -> Bool { p.hasPrefix(base) && (recursive || !p.dropFirst(base.count).contains("/")) }
        var entries: [(String, JSONValue)] = folders.filter(inside).map { folder in
            // A folder's oid identifies it within this commit (git's own tree id is not kept).
            let oid = Insecure.SHA1.hash(data: Data((commit + "/" + folder).utf8)).map { String(format: "%02x", $0) }.joined()
            return (folder, .object([("type", .string("directory")), ("oid", .string(oid)), ("size", .int(0)), ("path", .string(folder))]))
        }
        for e in files where inside(e.path) {
            var fields: [(String, JSONValue)] = [("type", .string("file")), ("oid", .string(e.blob)), ("size", .int(e.lfsSize ?? e.size)), ("path", .string(e.path))]
            if let oid = e.lfsOID {
                fields.append(("lfs", .object([("oid", .string(oid.hex)), ("size", .int(e.lfsSize ?? 0)), ("pointerSize", .int(e.size))])))
            }
            entries.append((e.path, .object(fields)))
        }
        entries.sort { $0.0 < $1.0 }
        let start = min(entries.count, max(0, query["cursor"]?.first.flatMap(Int.init) ?? 0))
        let end = min(entries.count, start + Self.pageSize)
        let id = index.ids.name(of: package.rowID) ?? ""
        let path = "/api/models/\(id)/tree/\(HTML.component(revision))" + (prefix.isEmpty ? "" : "/" + HTML.component(prefix))
        return .json(.array(entries[start..<end].map(\.1)), headers: linkNext(path: path, query: query, cursor: end, more: end < entries.count))
    }

    /// Whether a manifest entry is offered to Hugging Face clients: files with content, inside
    /// the repository. A card outside the package's folder (an ONNX Model Zoo model's
    /// `../README.md`) is not: a client's path cannot leave the repository it downloads.
    static func offered(_ entry: ManifestEntry) -> Bool {
        entry.sha256 != nil && !entry.path.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == ".." || $0 == "." || $0.isEmpty }
    }

    func refs(_ package: PackageRecord) throws -> HubAnswer {
        let snapshots = try archive.catalog.snapshots(package: package.rowID)
        var branches: [JSONValue] = [], tags: [JSONValue] = []
        let resolver = RevisionResolver(archive: archive, package: package)
        for (name, _) in (snapshots.last?.refs ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let commit = try? resolver.resolve(name).commit else { continue }
            if name.hasPrefix("refs/heads/") {
                branches.append(.object([("name", .string(String(name.dropFirst(11)))), ("ref", .string(name)), ("targetCommit", .string(commit))]))
            } else if name.hasPrefix("refs/tags/") {
                tags.append(.object([("name", .string(String(name.dropFirst(10)))), ("ref", .string(name)), ("targetCommit", .string(commit))]))
            }
        }
        // Refs lost upstream (force-pushed or deleted) are not branches any more; they are
        // listed apart, and each is a revision under its archived name.
        var lost: [JSONValue] = []
        if let repository = package.repositoryRowID {
            for ref in try archive.catalog.lostRefs(repository: repository) {
                lost.append(.object([("name", .string(ref.archivedAs)), ("ref", .string(ref.name)), ("targetCommit", .string(ref.target)),
                                     ("reason", .string(ref.reason)), ("lostAt", .string(Self.hubDate(ref.lostAt)))]))
            }
        }
        return .json(.object([("branches", .array(branches)), ("converts", .array([])), ("tags", .array(tags)), ("sediment_lost", .array(lost))]))
    }

    func commits(_ package: PackageRecord, revision: String, query: [String: [String]]) throws -> HubAnswer {
        let commit: String
        switch resolve(package, revision) {
        case .success(let resolved): commit = resolved.commit
        case .failure(let error): return error.answer
        }
        guard let repository = package.repositoryRowID else { return .json(.array([])) }
        var all: [String: CommitRecord] = [:]
        for c in try archive.catalog.commits(repository: repository) { all[c.id] = c }
        let touching: Set<String>? = (!package.subpath.isEmpty || !package.scope.isWholeSubpath)
            ? try archive.catalog.commitIDs(repository: repository, touching: package.scope) : nil
        // Every ancestor of the commit, newest first, as `git log` lists them.
        var seen: Set<String> = [commit], stack = [commit], history: [CommitRecord] = []
        while let id = stack.popLast() {
            guard let c = all[id] else { continue }
            if touching?.contains(id) ?? true { history.append(c) }
            for p in c.parents where seen.insert(p).inserted { stack.append(p) }
        }
        history.sort { $0.committerTime == $1.committerTime ? $0.id < $1.id : $0.committerTime > $1.committerTime }
        let start = min(history.count, max(0, query["cursor"]?.first.flatMap(Int.init) ?? 0))
        let end = min(history.count, start + 50)
        let items = history[start..<end].map { c -> JSONValue in
            let lines = c.message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
            let title = lines.first.map(String.init) ?? ""
            let body = lines.count > 1 ? lines[1].trimmingCharacters(in: .whitespacesAndNewlines) : ""
            return .object([("id", .string(c.id)), ("title", .string(title)), ("message", .string(body)),
                            ("date", .string(Self.hubDate(Date(timeIntervalSince1970: TimeInterval(c.committerTime))))),
                            ("authors", .array([.object([("user", .string(c.authorName))])]))])
        }
        let id = index.ids.name(of: package.rowID) ?? ""
        return .json(.array(items), headers: linkNext(path: "/api/models/\(id)/commits/\(HTML.component(revision))", query: query, cursor: end, more: end < history.count))
    }

    /// `/{id}/resolve/{rev}/{path}`: the file, or the Hub's error saying why not.
    func resolveFile(_ package: PackageRecord, revision: String, path: String) throws -> HubAnswer {
        let commit: String
        switch resolve(package, revision) {
        case .success(let resolved): commit = resolved.commit
        case .failure(let error): return error.answer
        }
        let manifest = try manifests.manifest(archive, package, commit: commit)
        let content = PackageContent(archive: archive, lfs: LFSPolicy(archive.configuration.storage))
        guard let entry = manifest.entries.first(where: { $0.path == path }), Self.offered(entry) else {
            return .error(status: 404, code: "EntryNotFound", message: "\(path) does not exist at \(String(commit.prefix(12)))",
                          headers: [("X-Repo-Commit", commit)])
        }
        do {
            let source = try content.source(of: path, in: manifest, package: package, commit: commit)
            switch source {
            case .lfsObject(let oid):
                return .file(ServedFile(source: source, size: entry.lfsSize ?? 0, commit: commit, etag: oid.hex, lfs: true))
            case .blob:
                return .file(ServedFile(source: source, size: entry.size, commit: commit, etag: entry.blob, lfs: false))
            }
        } catch let error as ContentError {
            return .error(status: 404, code: "EntryNotFound", message: "\(path) at \(String(commit.prefix(12))) cannot be served: \(error)",
                          headers: [("X-Repo-Commit", commit)])
        }
    }
}

/// An error answer carried through a `Result`.
struct HubError: Error {
    var status: Int
    var code: String?
    var message: String

    var answer: HubAnswer { .error(status: status, code: code, message: message) }
}

