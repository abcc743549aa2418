import Foundation
import SedimentGit
import SedimentHubs

/// The index repository of an index hub (`modelhub`, `pytorch-hub`): mirrored like any
/// repository (under `mirrors/`, through the `[[rewrite]]` rules), then read at its default
/// branch's head.
struct IndexRepository {
    let archive: Archive
    let hub: Configuration.Hub
    let url: String
    let fetches: FetchCache
    let network: NetworkOptions
    /// `[limits] index_bytes`: how much of the index's files a listing reads.
    let indexBytes: Int
    /// Where `token_env` is read.
    let environment: [String: String]

    /// Fetches the index and returns a reader of its head commit.
    func fetchHead() throws -> (Repository, ObjectID) {
        let mirrorPath = GitURL.mirrorPath(for: url)
        let repository = try Repository.openOrCreateBare(at: archive.mirrorFolder(mirrorPath))
        repository.removeStaleLocks()
        let fetched: FetchResult
        var before: [ObjectID]?
        if let earlier = fetches.result(for: mirrorPath) {
            fetched = earlier
        } else {
            before = Array(try repository.references(prefixes: ["refs/"]).values)
            fetched = try repository.fetch(url: network.rewrite(url), patterns: hub.refPatterns,
                                           credentials: try hub.credentials(environment: environment), limits: network.transferLimits())
            fetches.store(fetched, for: mirrorPath)
        }
        let branch = [fetched.defaultBranch, "refs/heads/main", "refs/heads/master"].compactMap { $0 }
            .first { fetched.remoteRefs[$0] != nil } ?? fetched.remoteRefs.keys.sorted().first
        guard let branch, let target = fetched.remoteRefs[branch], let head = repository.peelToCommit(target) else {
            throw HubError(hub: hub.name, problem: "the index repository \(GitURL.redacted(url)) has no branch to read")
        }
        try repository.setHead(branch)
        if let before {
            // The store keeps the index too: what this fetch brought, and the refs it left.
            try RecordWriter(archive: archive).index(hub: hub, url: url, mirrorPath: mirrorPath, repository: repository,
                                                     refs: try repository.references(prefixes: ["refs/"]), hiding: before, head: branch)
        }
        return (repository, head)
    }

    /// The content of `path` at the index's head.
    func file(_ path: String) throws -> Data {
        let (repository, head) = try fetchHead()
        guard let data = try read(path, in: repository, at: head) else {
            throw HubError(hub: hub.name, problem: "the index repository \(GitURL.redacted(url)) has no \(path) at \(head.short)")
        }
        return data
    }

    /// The content of the file `path` at `head` of the index, or nil when there is none; a
    /// file over `limits.index_bytes` fails the listing before it is read.
    func read(_ path: String, in repository: Repository, at head: ObjectID) throws -> Data? {
        guard let entry = try repository.fileEntry(path, at: head), entry.mode != 0o160000 else { return nil }
        try checkSize(of: entry, in: repository, total: 0)
        return try repository.withBlob(entry.id) { Data($0) }
    }

    /// Every file at the top of the index whose name ends with `suffix`, with its content;
    /// together they may hold at most `limits.index_bytes`.
    func topLevelFiles(endingWith suffix: String) throws -> [(name: String, content: Data)] {
        let (repository, head) = try fetchHead()
        var total = 0
        return try repository.files(of: head).filter { !$0.path.contains("/") && $0.path.hasSuffix(suffix) && $0.mode != 0o160000 }
            .map { file in
                total += try checkSize(of: file, in: repository, total: total)
                return (file.path, try repository.withBlob(file.id) { Data($0) })
            }
    }

    /// The size of `file`; throws when it brings what the listing read to over `limits.index_bytes`.
    @discardableResult
    private func checkSize(of file: TreeFile, in repository: Repository, total: Int) throws -> Int {
        let size = try repository.objectSize(file.id)
        let limit = indexBytes
        guard total + size <= limit else {
            let what = total == 0 ? "\(file.path) is \(size) bytes" : "\(file.path) (\(size) bytes) brings the index files read to \(total + size) bytes"
            throw HubError(hub: hub.name, problem: "the index repository \(GitURL.redacted(url)): \(what), over the \(limit) bytes "
                           + "an index is read up to (limits.index_bytes)")
        }
        return size
    }
}

/// The fetches made in one crawl, so that packages sharing a repository share one fetch.
final class FetchCache: @unchecked Sendable {  // @unchecked: `lock` guards `results`
    private let lock = NSLock()
    private var results: [String: FetchResult] = [:]

    func result(for mirror: String) -> FetchResult? {
        lock.lock()
        defer { lock.unlock() }
        return results[mirror]
    }

    func store(_ result: FetchResult, for mirror: String) {
        lock.lock()
        results[mirror] = result
        lock.unlock()
    }
}
