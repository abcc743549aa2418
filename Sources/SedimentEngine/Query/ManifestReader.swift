import Foundation
import SedimentGit
import SedimentStore

/// Reads the manifest of a resolved revision: from the blob store when one was archived for
/// that commit, otherwise computed from the local mirror (without writing anything).
public struct ManifestReader {
    public let archive: Archive
    public let package: PackageRecord
    public let options: QueryOptions

    public init(archive: Archive, package: PackageRecord, options: QueryOptions) {
        self.archive = archive
        self.package = package
        self.options = options
    }

    public func manifest(commit: String) throws -> (Manifest, ContentID) {
        if let id = try archive.catalog.manifestID(commit: commit, subpath: package.scope.manifestKey) {
            return (try Manifest.parse(archive.blobs.get(id)), id)
        }
        guard let mirror = package.mirrorPath, let oid = ObjectID(hex: commit) else {
            throw CatalogError.unknownRevision(package: package.qualifiedName, revision: commit, reason: "no manifest is archived for this commit")
        }
        let repository = try Repository.open(at: archive.mirrorFolder(mirror))
        let batch = try archive.blobs.batch()
        defer { batch.discard() }
        let builder = ManifestBuilder(repository: repository, store: archive.manifestStore, batch: batch, blobMaxBytes: options.blobMaxBytes)
        return try builder.manifest(of: oid, scope: package.scope, store: false)
    }
}
