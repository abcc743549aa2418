import Foundation
import SedimentGit
import SedimentStore

/// Builds manifests of commits, reading and hashing only blobs never seen before: known blobs
/// come from the store's git-blob → SHA-256 map (or from earlier in the same visit).
/// New contents up to the storage cap, and the manifests themselves, are staged in a blob
/// batch that the visit commits before writing the catalog.
final class ManifestBuilder {
    let repository: Repository
    /// Where known blobs are looked up.
    let archived: any ManifestStore
    let batch: BlobBatch
    let blobMaxBytes: Int64
    /// Blobs first seen in this visit, to be added to the catalog's map.
    private(set) var newBlobs: [String: BlobInfo] = [:]
    private(set) var hashedBytes: Int64 = 0

    init(repository: Repository, store: any ManifestStore, batch: BlobBatch, blobMaxBytes: Int64) {
        self.repository = repository
        archived = store
        self.batch = batch
        self.blobMaxBytes = blobMaxBytes
    }

    /// The manifest of `commit` (the files of `scope`), staged into the batch; returns it with its id.
    func manifest(of commit: ObjectID, scope: PackageScope, store: Bool = true) throws -> (Manifest, ContentID) {
        let files = try repository.files(of: commit, selection: scope.treeSelection)
        let wanted = Array(Set(files.filter { $0.mode != 0o160000 }.map(\.id.hex)).subtracting(newBlobs.keys))
        let known = try archived.knownBlobs(wanted)
        var entries: [ManifestEntry] = []
        entries.reserveCapacity(files.count)
        for file in files {
            if file.mode == 0o160000 {
                entries.append(ManifestEntry(path: file.path, mode: file.mode, size: 0, blob: file.id.hex, sha256: nil))
                continue
            }
            let info = try known[file.id.hex] ?? newBlobs[file.id.hex] ?? hash(file.id, store: store)
            entries.append(ManifestEntry(path: file.path, mode: file.mode, size: info.size, blob: info.gitBlob,
                                         sha256: info.sha256, lfsOID: info.lfsOID, lfsSize: info.lfsSize))
        }
        let manifest = Manifest(entries: entries)
        let data = manifest.canonicalData()
        let id = ContentID.of(data)
        if store {
            try data.withUnsafeBytes { try batch.put($0, id: id, kind: .manifest) }
        }
        return (manifest, id)
    }

    private func hash(_ blob: ObjectID, store: Bool) throws -> BlobInfo {
        let info: BlobInfo = try repository.withBlob(blob) { bytes in
            let sha = ContentID.of(buffer: bytes)
            let pointer = bytes.count < LFSPointer.maximumSize ? LFSPointer.parse(bytes) : nil
            let keep = Int64(bytes.count) <= blobMaxBytes
            if keep && store {
                // A git blob the catalog never saw: its content is new to the store too.
                try batch.putUnseen(bytes, id: sha, kind: .content)
            }
            hashedBytes += Int64(bytes.count)
            return BlobInfo(gitBlob: blob.hex, sha256: sha, size: Int64(bytes.count), stored: keep && store,
                            lfsOID: pointer?.oid, lfsSize: pointer?.size)
        }
        newBlobs[blob.hex] = info
        return info
    }
}
