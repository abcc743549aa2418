import Foundation
import SedimentMetadata
import SedimentStore

extension Visitor {
    /// The package's observation at this visit: the hub's metrics, and what the head
    /// manifest, card and config say. Extraction problems are recorded, never fatal.
    func observation(_ target: Target, manifest manifestID: ContentID?, newCommits: [CommitRecord], repository: Int64?) -> ObservationRecord {
        let manifest = manifestID.flatMap { try? Manifest.parse(archive.blobs.get($0)) }
        func content(_ path: String) -> Data? {
            guard let entry = manifest?.entries.first(where: { $0.path == path }), entry.lfsOID == nil,
                  let sha = entry.sha256, archive.blobs.contains(sha) else { return nil }
            return try? archive.blobs.get(sha)
        }
        var record = ObservationExtractor.observe(manifest: manifest, card: content("README.md"), config: content("config.json"),
                                                  hubMetadata: target.ref.metadata)
        let subpath = target.ref.subpath
        let prefix = subpath.isEmpty ? "" : subpath + "/"
        let mine = subpath.isEmpty ? newCommits : newCommits.filter { commit in
            commit.changes.contains { ($0.newPath ?? $0.oldPath ?? "").hasPrefix(prefix) || ($0.oldPath ?? "").hasPrefix(prefix) }
        }
        record.commitsNew = mine.count
        let archived = repository.flatMap { try? archive.catalog.commitCount(repository: $0, subpath: subpath) } ?? 0
        // The visit's own commits are not in the catalog yet (they are written with it).
        record.commitsTotal = archived + mine.count
        return record
    }

}
