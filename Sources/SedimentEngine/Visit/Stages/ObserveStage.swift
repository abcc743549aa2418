import Foundation
import SedimentMetadata
import SedimentStore

/// Step 5 of a visit: the package's observation, the hub's metrics and what the head
/// manifest, card and config say. It reads the head manifest the visit holds in memory; only
/// a manifest built by an earlier visit is read back from the store. Extraction problems are
/// recorded, never fatal.
struct ObserveStage {
    let store: any ManifestStore
    let catalog: Catalog
    /// `[limits] card_bytes` and `config_bytes`.
    let limits: ObservationExtractor.Limits

    /// The package's head manifest: built by this visit, or archived before (by id).
    enum Head {
        case built(Manifest)
        case archived(ContentID)
        case none
    }

    /// The observation at a visit that found `newCommits` (of the whole repository).
    func observe(_ package: PackageRecord, hubMetadata: String?, head: Head, newCommits: [CommitRecord], repository: Int64?) -> ObservationRecord {
        let manifest: Manifest?
        switch head {
        case .built(let built): manifest = built
        case .archived(let id): manifest = try? store.manifest(id)
        case .none: manifest = nil
        }
        func content(_ path: String) -> ObservationExtractor.File {
            guard let entry = manifest?.entries.first(where: { $0.path == path }) else { return .absent }
            if entry.lfsOID != nil { return .unavailable("\(path) is an LFS object (\(entry.lfsSize ?? 0) bytes), not read") }
            guard let sha = entry.sha256, store.contains(sha) else {
                return .unavailable("\(path) is not stored (\(entry.size) bytes, over blob_max_bytes)")
            }
            do {
                return .content(try store.content(sha))
            } catch {
                return .unavailable("\(path) could not be read from the blob store: \(error)")
            }
        }
        let scope = package.scope
        // The card is the scope's own README.md, else the card it names outside its folder.
        let cardPath = manifest?.entries.contains { $0.path == "README.md" } == false ? scope.card ?? "README.md" : "README.md"
        var record = ObservationExtractor.observe(manifest: manifest, card: content(cardPath), config: content("config.json"),
                                                  hubMetadata: hubMetadata, limits: limits)
        let mine = !scope.isNarrowed ? newCommits : newCommits.filter { commit in
            commit.changes.contains { change in [change.oldPath, change.newPath].compactMap { $0 }.contains(where: scope.contains(repositoryPath:)) }
        }
        record.commitsNew = mine.count
        let archived = repository.flatMap { try? catalog.commitCount(repository: $0, scope: scope) } ?? 0
        // The visit's own commits are not in the catalog yet (they are written with it).
        record.commitsTotal = archived + mine.count
        return record
    }

    /// The observation of a visit that found nothing new in git: the last observation's
    /// derived fields (nothing they come from changed) with the hub's metrics of now. Falls
    /// back to deriving everything when the package has no observation yet.
    func unchanged(_ package: PackageRecord, hubMetadata: String?, manifest: ContentID?, repository: Int64?) -> ObservationRecord {
        guard var previous = (try? catalog.lastObservation(package: package.rowID)) ?? nil else {
            return observe(package, hubMetadata: hubMetadata, head: manifest.map(Head.archived) ?? .none, newCommits: [], repository: repository)
        }
        let now = ObservationExtractor.observe(manifest: nil, card: nil, config: nil, hubMetadata: hubMetadata)
        previous.downloads = now.downloads
        previous.likes = now.likes
        previous.hubMetrics = now.hubMetrics
        previous.commitsNew = 0
        return previous
    }

    /// What could not be read, one line per file, for `sync` and the log.
    static func readingWarnings(_ o: ObservationRecord) -> [String] {
        [("README.md", o.cardProblem), ("config.json", o.configProblem)].compactMap { file, problem in
            problem.map { "\(file) unparseable: \($0)" }
        }
    }
}
