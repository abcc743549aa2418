import Foundation
import SedimentEngine
import SedimentStore

/// The manifests of the revisions asked for last, so that a client fetching a revision's files
/// one request at a time (a HEAD and a GET each) does not have the manifest read and parsed
/// again for every one. A commit's manifest never changes: entries are kept until pushed out
/// by newer ones.
final class ManifestCache: @unchecked Sendable {  // @unchecked: `lock` guards every var
    private let lock = NSLock()
    private var entries: [String: Manifest] = [:]
    private var order: [String] = []
    let capacity: Int

    init(capacity: Int = 64) {
        self.capacity = capacity
    }

    /// The manifest of `package` at `commit`, read through `archive` when not cached.
    func manifest(_ archive: Archive, _ package: PackageRecord, commit: String) throws -> Manifest {
        let key = "\(package.rowID)/\(commit)"
        if let found = lock.withLock({ entries[key] }) { return found }
        let manifest = try ManifestReader(archive: archive, package: package, options: QueryOptions(archive.configuration)).manifest(commit: commit).0
        lock.withLock {
            if entries.updateValue(manifest, forKey: key) == nil { order.append(key) }
            while order.count > capacity { entries[order.removeFirst()] = nil }
        }
        return manifest
    }
}
