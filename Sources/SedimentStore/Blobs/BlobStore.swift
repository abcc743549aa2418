import Foundation

/// Errors of the blob store, naming the blob and the file concerned.
public enum BlobStoreError: Error, CustomStringConvertible {
    case missing(ContentID)
    case corrupt(ContentID, actual: ContentID, path: String)
    case io(operation: String, path: String, errno: Int32)
    /// Downloaded content that is not what its id says: discarded, nothing stored.
    case mismatch(ContentID, actual: ContentID, bytes: Int64)
    /// Downloaded content of the wrong length: discarded, nothing stored.
    case wrongSize(ContentID, expected: Int64, actual: Int64)

    public var description: String {
        switch self {
        case .missing(let id): return "blob \(id.hex) is not in the blob store"
        case .corrupt(let id, let actual, let path): return "blob \(id.hex) is damaged: \(path) hashes to \(actual.hex)"
        case .io(let op, let path, let code): return "\(op) \(path): \(String(cString: strerror(code)))"
        case .mismatch(let id, let actual, let bytes):
            return "the content received for \(id.hex) does not match it: \(bytes) bytes hashing to \(actual.hex); discarded"
        case .wrongSize(let id, let expected, let actual):
            return "the content received for \(id.hex) has \(actual) bytes, not the \(expected) announced; discarded"
        }
    }
}

/// A content-addressed store of files named by their SHA-256.
///
/// Contract: `put` may be repeated with the same content (it is then a no-op); content
/// written through a ``BlobBatch`` becomes visible under its id only at `commit()`, after it
/// is durable; `get` verifies the content against its id before returning it.
public protocol BlobStore: Sendable {
    /// Whether the store holds `id`.
    func contains(_ id: ContentID) -> Bool
    /// The size in bytes of the file that holds `id`; nil when the store does not hold it.
    func size(of id: ContentID) -> Int64?
    /// The content of `id`, checked against its hash.
    func get(_ id: ContentID) throws -> Data
    /// Starts a batch of writes made durable together.
    func batch() throws -> BlobBatch
    /// Every stored id (for verification); order unspecified.
    func allIDs() throws -> [ContentID]
}

extension BlobStore {
    /// Whether the store holds `id` in a file of exactly `size` bytes. Content is known by its
    /// hash *and* its size: a claim about content (an LFS pointer's `size`, a catalog row) is
    /// taken as satisfied by what the store holds only when both agree.
    public func contains(_ id: ContentID, size: Int64) -> Bool {
        self.size(of: id) == size
    }
}

/// Writes to a blob store that become durable and visible together.
public protocol BlobBatch: AnyObject {
    /// Stages `bytes`, returning its id; content already stored or staged is skipped.
    @discardableResult
    func put(_ bytes: UnsafeRawBufferPointer) throws -> ContentID
    /// Stages `bytes` already known to hash to `id` (the caller hashed them).
    func put(_ bytes: UnsafeRawBufferPointer, id: ContentID) throws
    /// Makes every staged blob durable, then visible under its id.
    func commit() throws
    /// Drops every staged blob.
    func discard()
}

extension BlobBatch {
    @discardableResult
    public func put(_ data: Data) throws -> ContentID {
        try data.withUnsafeBytes { try put($0) }
    }
}
