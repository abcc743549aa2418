import Foundation
import SedimentGit
import SedimentHTTP
import SedimentStore

/// Restores what `verify` found damaged or missing in the blob store from where it came from
/// (`verify --repair`):
///
/// - file content: the git blob, read from a mirror that holds it, its SHA-256 recomputed and
///   checked against the id before it is written;
/// - a manifest: rebuilt from the mirror's tree of its commit (and subpath), kept only when it
///   hashes to the manifest's id;
/// - an LFS object: downloaded again from the LFS server of a repository that points at it,
///   checked against its oid as it arrives.
///
/// Restored content goes through the blob store's durable writes (written under a temporary
/// name, synced, renamed over the damaged file), so a crash mid-repair leaves either the old
/// file or the good one. The catalog is not changed: it already says the content is stored.
/// Damage to the catalog or the mirrors themselves has no other source here and is reported
/// as not repairable. Needs the archive opened for writing; runs on the calling thread.
public final class Repairer {
    /// What became of one problem.
    public struct Outcome: Sendable {
        public var damage: Damage
        public var repaired: Bool
        /// Where the good content came from, when repaired.
        public var source: String?
        /// Why it was not repaired.
        public var reason: String?
    }

    public let archive: Archive
    let options: RepairOptions
    let client: HTTPClient
    let environment: [String: String]
    private var repositories: [RepositorySource]?
    private var mirrors: [Int64: Result<Repository, Error>] = [:]

    /// `client` asks LFS servers (the crawler's client, with its limits and retries).
    public init(archive: Archive, options: RepairOptions, client: HTTPClient,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.archive = archive
        self.options = options
        self.client = client
        self.environment = environment
    }

    /// Tries to restore each of `problems`; returns one outcome for each, in the same order.
    public func repair(_ problems: [Damage], progress: (String) -> Void = { _ in }) -> [Outcome] {
        var outcomes = problems.map { Outcome(damage: $0, repaired: false, source: nil, reason: Self.whyNotRestorable($0)) }
        let batch: BlobBatch
        do {
            batch = try archive.blobs.batch(replacing: true)
        } catch {
            for index in outcomes.indices where outcomes[index].damage.isRestorable { outcomes[index].reason = "\(error)" }
            return outcomes
        }
        defer { batch.discard() }
        /// Outcomes whose content is staged in `batch`: repaired once it is committed.
        var staged: [Int] = []
        var lfsWanted: [Int] = []
        do {
            let manifests = outcomes.indices.filter { outcomes[$0].damage.isRestorable && outcomes[$0].damage.kind == .manifest }
            if !manifests.isEmpty { progress("rebuilding manifests") }
            for index in manifests {
                let id = outcomes[index].damage.id!
                switch Result(catching: { try rebuildManifest(id, into: batch) }) {
                case .success(let source):
                    outcomes[index].source = source
                    staged.append(index)
                case .failure(let error):
                    outcomes[index].reason = "\(error)"
                }
            }

            let blobs = outcomes.indices.filter { outcomes[$0].damage.isRestorable && outcomes[$0].damage.kind == .blob }
            if !blobs.isEmpty { progress("reading blobs from the mirrors") }
            var gitBlobs: [Int: [String]] = [:]
            for index in blobs { gitBlobs[index] = try archive.catalog.gitBlobs(sha256: outcomes[index].damage.id!) }
            let introducing = try archive.catalog.repositoriesIntroducing(Array(Set(gitBlobs.values.joined())))
            for index in blobs {
                let damage = outcomes[index].damage
                switch Result(catching: { try restoreBlob(damage.id!, from: gitBlobs[index] ?? [], introducing: introducing, into: batch) }) {
                case .success(let source):
                    outcomes[index].source = source
                    staged.append(index)
                case .failure(let error):
                    outcomes[index].reason = "\(error)"
                    // The same content is also an LFS object: its server may still have it.
                    if damage.lfsSize != nil { lfsWanted.append(index) }
                }
            }
            lfsWanted += outcomes.indices.filter { outcomes[$0].damage.isRestorable && outcomes[$0].damage.kind == .lfsObject }
        } catch {
            // The catalog could not be read: nothing more can be looked up.
            for index in outcomes.indices where outcomes[index].damage.isRestorable && !staged.contains(index) {
                outcomes[index].reason = "cannot look up its source in the catalog: \(error)"
            }
        }

        if !staged.isEmpty {
            progress("writing restored blobs")
            do {
                try batch.commit()
                for index in staged { outcomes[index].repaired = true; outcomes[index].reason = nil }
            } catch {
                for index in staged { outcomes[index].source = nil; outcomes[index].reason = "writing the restored content failed: \(error)" }
            }
        }

        if !lfsWanted.isEmpty {
            progress("downloading LFS objects")
            let restored = restoreLFSObjects(lfsWanted.map { (index: $0, damage: outcomes[$0].damage) })
            for index in lfsWanted {
                switch restored[index] {
                case .success(let source)?:
                    outcomes[index].repaired = true
                    outcomes[index].source = source
                    outcomes[index].reason = nil
                case .failure(let error)?:
                    let before = outcomes[index].damage.kind == .blob ? (outcomes[index].reason.map { $0 + "; and " } ?? "") : ""
                    outcomes[index].reason = before + "\(error)"
                case nil:
                    break
                }
            }
        }
        return outcomes
    }

    /// Why `damage` cannot be restored by repair (nil when it can be tried).
    static func whyNotRestorable(_ damage: Damage) -> String? {
        if damage.isRestorable { return nil }
        switch damage.kind {
        case .catalog:
            return "the catalog database itself is damaged: restore catalog.sqlite from a backup (docs/operations.md, Backups)"
        case .reference:
            return "the catalog row it names is gone and has no other source: restore catalog.sqlite from a backup"
        case .mirror:
            return "the mirror has no other source in the archive; the next sync fetches again what upstream still has, but refs lost upstream stay lost: restore the mirror from a backup"
        case .manifest where damage.condition == .invalid:
            return "its content hashes to its id but is not a manifest (written by an incompatible version?); rebuilding would give the same bytes"
        default:
            return "it has no id to restore it by"
        }
    }

    // MARK: - Sources

    /// Every repository of the catalog, read once.
    private func allRepositories() throws -> [RepositorySource] {
        if let repositories { return repositories }
        let all = try archive.catalog.repositorySources()
        repositories = all
        return all
    }

    /// `first` (in that order), then every other repository: likely sources first, then the rest.
    private func candidates(first: [Int64]) throws -> [RepositorySource] {
        let all = try allRepositories()
        let byID = Dictionary(all.map { ($0.rowID, $0) }, uniquingKeysWith: { a, _ in a })
        var seen = Set<Int64>()
        var ordered: [RepositorySource] = []
        for id in first where seen.insert(id).inserted { if let repository = byID[id] { ordered.append(repository) } }
        for repository in all where seen.insert(repository.rowID).inserted { ordered.append(repository) }
        return ordered
    }

    /// The mirror of `repository`, opened once.
    private func openMirror(_ repository: RepositorySource) -> Result<Repository, Error> {
        if let known = mirrors[repository.rowID] { return known }
        let folder = archive.mirrorFolder(repository.mirror)
        let opened: Result<Repository, Error> = FileManager.default.fileExists(atPath: folder)
            ? Result { try Repository.open(at: folder) }
            : .failure(RepairError("the mirror \(repository.mirror) of \(GitURL.redacted(repository.url)) is missing"))
        mirrors[repository.rowID] = opened
        return opened
    }

    /// The mirrors that could not be opened, for the reason of a failure.
    private func unopenedMirrors(_ repositories: [RepositorySource]) -> String {
        let missing = repositories.filter { if case .failure = openMirror($0) { return true } else { return false } }.map(\.mirror)
        guard !missing.isEmpty else { return "" }
        return " (\(missing.count) mirror\(missing.count == 1 ? "" : "s") missing or unreadable: \(missing.prefix(3).joined(separator: ", "))\(missing.count > 3 ? ", …" : ""))"
    }

    // MARK: - Git blobs and manifests

    /// Reads one of `gitBlobs` (content `id`) from a mirror that holds it, checks its SHA-256
    /// and stages it; returns where it came from.
    private func restoreBlob(_ id: ContentID, from gitBlobs: [String], introducing: [String: [Int64]], into batch: BlobBatch) throws -> String {
        guard !gitBlobs.isEmpty else {
            throw RepairError("the catalog records no git blob with this content, so no mirror can be asked for it")
        }
        let likely = gitBlobs.flatMap { introducing[$0] ?? [] }
        let repositories = try candidates(first: likely)
        var mismatch: String?
        for repository in repositories {
            guard case .success(let mirror) = openMirror(repository) else { continue }
            for hex in gitBlobs {
                guard let blob = ObjectID(hex: hex), mirror.contains(blob) else { continue }
                let matched: Bool = try mirror.withBlob(blob) { bytes in
                    let actual = ContentID.of(buffer: bytes)
                    guard actual == id else {
                        mismatch = "git blob \(hex) in the mirror \(repository.mirror) hashes to \(actual.hex), not \(id.hex)"
                        return false
                    }
                    try batch.put(bytes, id: id)
                    return true
                }
                if matched { return "git blob \(hex) of the mirror \(repository.mirror)" }
            }
        }
        if let mismatch { throw RepairError(mismatch) }
        throw RepairError("no mirror holds git blob \(gitBlobs.joined(separator: ", ")) (looked in \(repositories.count) mirror\(repositories.count == 1 ? "" : "s"))"
                          + unopenedMirrors(repositories))
    }

    /// Rebuilds manifest `id` from the tree of a commit it was built from and stages it when it
    /// hashes to `id`; returns where it came from.
    private func rebuildManifest(_ id: ContentID, into batch: BlobBatch) throws -> String {
        let origins = try archive.catalog.manifestOrigins(id)
        guard !origins.isEmpty else { throw RepairError("the catalog records no commit this manifest lists") }
        var problems: [String] = []
        for origin in origins {
            guard let commit = ObjectID(hex: origin.commit) else { continue }
            // The key names a subpath, or (`subpath#digest`) a package narrower than its folder.
            let folder = String(origin.subpath.prefix { $0 != "#" })
            guard let scope = origin.subpath.contains("#")
                ? try archive.catalog.packages().map(\.scope).first(where: { $0.subpath == folder && $0.manifestKey == origin.subpath })
                : PackageScope(subpath: origin.subpath) else {
                problems.append("no package has the files manifest key \(origin.subpath) names any more")
                continue
            }
            let repositories = try candidates(first: try archive.catalog.repositoriesHolding(commit: origin.commit))
            for repository in repositories {
                guard case .success(let mirror) = openMirror(repository), mirror.contains(commit) else { continue }
                let builder = ManifestBuilder(repository: mirror, store: archive.manifestStore, batch: batch,
                                              blobMaxBytes: options.query.blobMaxBytes)
                let (manifest, rebuilt) = try builder.manifest(of: commit, scope: scope, store: false)
                guard rebuilt == id else {
                    problems.append("rebuilt from commit \(origin.commit.prefix(12)) in the mirror \(repository.mirror), it hashes to \(rebuilt.hex)")
                    continue
                }
                try manifest.canonicalData().withUnsafeBytes { try batch.put($0, id: id, kind: .manifest) }
                let place = folder.isEmpty ? "" : " under \(folder)"
                return "the tree of commit \(origin.commit.prefix(12))\(place) in the mirror \(repository.mirror)"
            }
            if problems.isEmpty {
                problems.append("no mirror holds commit \(origin.commit.prefix(12))" + unopenedMirrors(repositories))
            }
        }
        throw RepairError(problems.joined(separator: "; "))
    }

    // MARK: - LFS objects

    /// Downloads each wanted object (by outcome index) from the LFS server of a repository
    /// that points at it, trying the next such repository when one fails.
    private func restoreLFSObjects(_ wanted: [(index: Int, damage: Damage)]) -> [Int: Result<String, RepairError>] {
        var results: [Int: Result<String, RepairError>] = [:]
        // Where each object is pointed at from.
        var sources: [Int: [RepositorySource]] = [:]
        do {
            var pointers: [Int: [String]] = [:]
            for (index, damage) in wanted { pointers[index] = try archive.catalog.gitBlobs(pointingAt: damage.id!) }
            let introducing = try archive.catalog.repositoriesIntroducing(Array(Set(pointers.values.joined())))
            let all = try allRepositories()
            let byID = Dictionary(all.map { ($0.rowID, $0) }, uniquingKeysWith: { a, _ in a })
            for (index, _) in wanted {
                var ids = (pointers[index] ?? []).flatMap { introducing[$0] ?? [] }
                if ids.isEmpty {
                    // Not found in the recorded history: any mirror holding a pointer to it.
                    let blobs = (pointers[index] ?? []).compactMap(ObjectID.init(hex:))
                    ids = all.filter { repository in
                        guard case .success(let mirror) = openMirror(repository) else { return false }
                        return blobs.contains(where: mirror.contains)
                    }.map(\.rowID)
                }
                var seen = Set<Int64>()
                sources[index] = ids.filter { seen.insert($0).inserted }.compactMap { byID[$0] }
            }
        } catch {
            for (index, _) in wanted { results[index] = .failure(RepairError("cannot look up its repository in the catalog: \(error)")) }
            return results
        }

        let fetcher = LFSFetcher(archive: archive, options: options.lfs, http: client)
        var reasons: [Int: [String]] = [:]
        var open = Set(wanted.map(\.index))
        let damages = Dictionary(wanted.map { ($0.index, $0.damage) }, uniquingKeysWith: { a, _ in a })
        // One pass per "n-th choice" of repository, so each request asks one server for many objects.
        var round = 0
        while !open.isEmpty {
            var byRepository: [Int64: (repository: RepositorySource, indices: [Int])] = [:]
            for index in open {
                guard let list = sources[index], round < list.count else { continue }
                let repository = list[round]
                byRepository[repository.rowID, default: (repository, [])].indices.append(index)
            }
            if byRepository.isEmpty { break }
            for (_, group) in byRepository.sorted(by: { $0.key < $1.key }) {
                let repository = group.repository
                let objects = group.indices.map { (oid: damages[$0]!.id!, size: damages[$0]!.lfsSize ?? 0) }
                let failures = fetcher.restore(objects, repositoryURL: options.lfs.network.rewrite(repository.url),
                                               configuredURL: configuredLFSURL(repository), credentials: credentials(repository))
                for index in group.indices {
                    if let failure = failures[damages[index]!.id!] {
                        reasons[index, default: []].append(failure)
                    } else {
                        results[index] = .success("the LFS server of \(GitURL.redacted(repository.url))")
                        open.remove(index)
                    }
                }
            }
            round += 1
        }
        for index in open {
            let tried = reasons[index] ?? []
            results[index] = .failure(RepairError(tried.isEmpty
                ? "no archived repository points at this LFS object, so no LFS server can be asked for it"
                : tried.joined(separator: "; ")))
        }
        return results
    }

    /// The `lfs.url` the repository's `.lfsconfig` names at its archived head, after `[[rewrite]]` rules.
    private func configuredLFSURL(_ repository: RepositorySource) -> String? {
        guard let head = repository.head.flatMap(ObjectID.init(hex:)), case .success(let mirror) = openMirror(repository),
              let data = try? mirror.readFile(".lfsconfig", at: head),
              let url = LFSEndpoint.configuredURL(lfsconfig: String(decoding: data, as: UTF8.self)) else { return nil }
        return options.lfs.network.rewrite(url)
    }

    /// The credentials of a configured hub whose packages live in the repository.
    private func credentials(_ repository: RepositorySource) -> GitCredentials? {
        for hub in options.query.hubs where repository.hubs.contains(hub.name) {
            if let credentials = try? hub.credentials(environment: environment) { return credentials }
        }
        return nil
    }
}

/// Why one piece of damage could not be repaired.
struct RepairError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
