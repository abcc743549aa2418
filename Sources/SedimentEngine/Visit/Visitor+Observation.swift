import Foundation
import SedimentMetadata
import SedimentStore

extension Visitor {
    /// The package's observation at this visit: the hub's metrics, and what the head
    /// manifest, card and config say. Extraction problems are recorded, never fatal.
    func observation(_ target: Target, manifest manifestID: ContentID?, newCommits: [CommitRecord], repository: Int64?) -> ObservationRecord {
        let manifest = manifestID.flatMap { try? Manifest.parse(archive.blobs.get($0)) }
        func content(_ path: String) -> ObservationExtractor.File {
            guard let entry = manifest?.entries.first(where: { $0.path == path }) else { return .absent }
            if entry.lfsOID != nil { return .unavailable("\(path) is an LFS object (\(entry.lfsSize ?? 0) bytes), not read") }
            guard let sha = entry.sha256, archive.blobs.contains(sha) else {
                return .unavailable("\(path) is not stored (\(entry.size) bytes, over blob_max_bytes)")
            }
            do {
                return .content(try archive.blobs.get(sha))
            } catch {
                return .unavailable("\(path) could not be read from the blob store: \(error)")
            }
        }
        let scope = target.package.scope
        // The card is the scope's own README.md, else the card it names outside its folder.
        let cardPath = manifest?.entries.contains { $0.path == "README.md" } == false ? scope.card ?? "README.md" : "README.md"
        var record = ObservationExtractor.observe(manifest: manifest, card: content(cardPath), config: content("config.json"),
                                                  hubMetadata: target.ref.metadata, limits: archive.configuration.limits.files)
        let mine = !scope.isNarrowed ? newCommits : newCommits.filter { commit in
            commit.changes.contains { change in [change.oldPath, change.newPath].compactMap { $0 }.contains(where: scope.contains(repositoryPath:)) }
        }
        record.commitsNew = mine.count
        let archived = repository.flatMap { try? archive.catalog.commitCount(repository: $0, scope: scope) } ?? 0
        // The visit's own commits are not in the catalog yet (they are written with it).
        record.commitsTotal = archived + mine.count
        return record
    }

    /// What could not be read, one line per file, for `sync` and the log.
    static func readingWarnings(_ o: ObservationRecord) -> [String] {
        [("README.md", o.cardProblem), ("config.json", o.configProblem)].compactMap { file, problem in
            problem.map { "\(file) unparseable: \($0)" }
        }
    }

    /// The observation of a visit that found nothing new in git: the last observation's
    /// derived fields (nothing they come from changed) with the hub's metrics of now. Falls
    /// back to deriving everything when the package has no observation yet.
    func unchangedObservation(_ target: Target, manifest: ContentID?, repository: Int64?) -> ObservationRecord {
        guard var previous = (try? archive.catalog.lastObservation(package: target.package.rowID)) ?? nil else {
            return observation(target, manifest: manifest, newCommits: [], repository: repository)
        }
        let now = ObservationExtractor.observe(manifest: nil, card: nil, config: nil, hubMetadata: target.ref.metadata)
        previous.downloads = now.downloads
        previous.likes = now.likes
        previous.hubMetrics = now.hubMetrics
        previous.commitsNew = 0
        return previous
    }
}
