import Foundation
import SedimentStore

/// Where the content of an archived file comes from: the blob store under the file's SHA-256,
/// or, for a Git LFS pointer, under the object's oid. When it is not there, the error says
/// why, in the words of the LFS policy (`[storage] lfs`).
public struct PackageContent {
    public let archive: Archive
    /// Whether LFS objects are fetched (`lfs = "fetch"`), which says why one is missing.
    public let fetchesLFS: Bool

    public init(archive: Archive, lfs: LFSPolicy) {
        self.archive = archive
        self.fetchesLFS = lfs.fetch
    }

    /// Where the content of one manifest entry is stored.
    public enum Source: Equatable, Sendable {
        /// The file's own content, under its SHA-256.
        case blob(ContentID)
        /// The object a Git LFS pointer names, streamed (an object may be gigabytes).
        case lfsObject(ContentID)
    }

    /// The source of `path` in `manifest` (of `package` at `commit`); throws a
    /// ``ContentError`` saying why when the content is not archived.
    public func source(of path: String, in manifest: Manifest, package: PackageRecord, commit: String) throws -> Source {
        let wanted = path.split(separator: "/").joined(separator: "/")
        guard let entry = manifest.entries.first(where: { $0.path == wanted }) else {
            throw ContentError("\(package.qualifiedName)@\(String(commit.prefix(12))) has no file \(path)")
        }
        guard let sha = entry.sha256 else { throw ContentError("\(path) is a submodule link (\(entry.blob)); it has no content here") }
        if let oid = entry.lfsOID {
            // A Git LFS pointer: the file's content is the object it points at, which has
            // the pointer's size as well as its oid.
            if let stored = archive.blobs.size(of: oid), let size = entry.lfsSize, stored != size {
                throw ContentError("\(path) is a Git LFS pointer to object \(oid.hex) of \(size) bytes, but the content with that oid in the blob store has \(stored) bytes: the pointer's size is false, and its object is not archived")
            }
            guard archive.blobs.contains(oid) else {
                let size = ByteCount.format(entry.lfsSize ?? 0)
                if let pending = try archive.catalog.lfsPendingReason(oid) {
                    let why = pending.reason.map { "after \(pending.attempts) attempt\(pending.attempts == 1 ? "" : "s"): \($0)" } ?? "not tried yet"
                    throw ContentError("\(path) is a Git LFS pointer to object \(oid.hex) (\(size)), which is pending, not archived yet (\(why))")
                }
                let policy = fetchesLFS
                    ? "outside the storage.lfs_max_bytes / lfs_include policy, or not fetched yet"
                    : "storage.lfs = \"pointers\" records pointers only"
                throw ContentError("\(path) is a Git LFS pointer to object \(oid.hex) (\(size)), which is not archived (\(policy)); `sediment show --json` lists the pointer")
            }
            return .lfsObject(oid)
        }
        guard archive.blobs.contains(sha) else {
            throw ContentError("the content of \(path) (\(ByteCount.format(entry.size)), sha256 \(sha.hex)) is not archived: it is larger than blob_max_bytes")
        }
        return .blob(sha)
    }

    /// Hands the content of `source` to `body`, checked against its id: a blob whole, an LFS
    /// object in chunks as it is read.
    public func read(_ source: Source, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        switch source {
        case .lfsObject(let oid):
            try archive.blobs.read(oid, body)
        case .blob(let sha):
            try archive.blobs.get(sha).withUnsafeBytes { try body($0) }
        }
    }
}

/// Why an archived file's content cannot be given.
public struct ContentError: Error, CustomStringConvertible {
    public var description: String
    init(_ text: String) { description = text }
}

/// Byte counts as people read them.
public enum ByteCount {
    /// "1.2 MiB", "512 B".
    public static func format(_ n: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
    }
}
