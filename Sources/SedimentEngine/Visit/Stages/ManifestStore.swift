import Foundation
import SedimentStore

/// Where a visit keeps manifests and file contents, and what it knows of blobs already seen.
/// The manifest stage and the observe stage reach storage only through this, so the way
/// manifests and blobs are stored (files, packs, object storage) can change behind it.
protocol ManifestStore {
    /// The manifest already archived for `commit` (and the scope's key `subpath`), if any.
    func manifestID(commit: String, subpath: String) throws -> ContentID?
    /// What is known of these git blobs (by git blob id): their SHA-256, size, LFS pointer.
    func knownBlobs(_ gitBlobs: [String]) throws -> [String: BlobInfo]
    /// Starts staging contents and manifests; they become visible together at `commit()`.
    func stage() throws -> BlobBatch
    /// Whether the content `id` is stored.
    func contains(_ id: ContentID) -> Bool
    /// The content `id`, checked against its hash.
    func content(_ id: ContentID) throws -> Data
    /// This store, also reading the blobs of `packs` (durable, not yet indexed).
    func including(_ packs: [PackRecord]) -> any ManifestStore
}

extension ManifestStore {
    func including(_ packs: [PackRecord]) -> any ManifestStore { self }

    /// The stored manifest `id` (one written by an earlier visit).
    func manifest(_ id: ContentID) throws -> Manifest {
        try Manifest.parse(content(id))
    }
}

/// The archive's store: the catalog's git-blob map and manifest rows, and the local blob store.
struct ArchiveManifestStore: ManifestStore {
    let catalog: Catalog
    let blobs: any BlobStore

    func manifestID(commit: String, subpath: String) throws -> ContentID? {
        try catalog.manifestID(commit: commit, subpath: subpath)
    }

    func knownBlobs(_ gitBlobs: [String]) throws -> [String: BlobInfo] {
        try catalog.blobs(gitBlobs)
    }

    func stage() throws -> BlobBatch {
        try blobs.batch()
    }

    func contains(_ id: ContentID) -> Bool {
        blobs.contains(id)
    }

    func content(_ id: ContentID) throws -> Data {
        try blobs.get(id)
    }

    func including(_ packs: [PackRecord]) -> any ManifestStore {
        packs.isEmpty ? self : ArchiveManifestStore(catalog: catalog, blobs: blobs.including(packs))
    }
}

extension Archive {
    /// The archive's manifests and contents, as visits reach them.
    var manifestStore: ArchiveManifestStore {
        ArchiveManifestStore(catalog: catalog, blobs: blobs)
    }
}
