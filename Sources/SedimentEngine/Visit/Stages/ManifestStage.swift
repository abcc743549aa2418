import Foundation
import SedimentGit
import SedimentStore

/// Step 4 of a visit: a manifest for every tip commit of the package that has none yet, the
/// head's first, with the new contents up to `blob_max_bytes`, all staged in the
/// ``ManifestStore`` and made durable together by ``Output/commit()``. Reaches storage only
/// through the store.
struct ManifestStage {
    let store: any ManifestStore
    let blobMaxBytes: Int64

    struct Output {
        /// Manifests built by this visit, to record.
        var records: [ManifestRecord]
        /// The same manifests, in memory, by id.
        var built: [ContentID: Manifest]
        /// The manifest of each tip commit (by hex), built now or archived before.
        var manifestOf: [String: ContentID]
        /// Blobs first seen in this visit.
        var newBlobs: [BlobInfo]
        var hashedBytes: Int64
        /// What was staged, made durable and visible by `commit()`.
        let staging: BlobBatch

        /// Makes the staged manifests and contents durable; returns the packs written, for the
        /// visit's catalog transaction to index with the manifests that name their blobs.
        func commit() throws -> [PackRecord] { try staging.commitDeferringIndex() }
        /// Drops whatever was not committed.
        func discard() { staging.discard() }
    }

    /// Builds the manifests of `refs` (the head `headRef` first) in `repository`, for `scope`.
    /// The caller commits or discards the output's staging.
    func run(repository: Repository, refs: [String: ObjectID], headRef: String?, scope: PackageScope) throws -> Output {
        let staging = try store.stage()
        do {
            let builder = ManifestBuilder(repository: repository, store: store, batch: staging, blobMaxBytes: blobMaxBytes)
            var records: [ManifestRecord] = []
            var built: [ContentID: Manifest] = [:]
            var manifestOf: [String: ContentID] = [:]
            let tipNames = (headRef.map { [$0] } ?? []) + refs.keys.sorted().filter { $0 != headRef }
            for name in tipNames {
                guard let tip = refs[name], let commit = repository.peelToCommit(tip), manifestOf[commit.hex] == nil else { continue }
                if let existing = try store.manifestID(commit: commit.hex, subpath: scope.manifestKey) {
                    manifestOf[commit.hex] = existing
                    continue
                }
                let (manifest, id) = try builder.manifest(of: commit, scope: scope)
                manifestOf[commit.hex] = id
                records.append(ManifestRecord(id: id, commit: commit.hex, subpath: scope.manifestKey, manifest: manifest))
                built[id] = manifest
            }
            return Output(records: records, built: built, manifestOf: manifestOf, newBlobs: Array(builder.newBlobs.values),
                          hashedBytes: builder.hashedBytes, staging: staging)
        } catch {
            staging.discard()
            throw error
        }
    }
}
