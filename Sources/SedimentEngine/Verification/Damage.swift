import Foundation
import SedimentStore

/// One problem `verify` found: what is damaged (a blob, an LFS object, a manifest, the
/// catalog, a mirror reference), how, and which packages and paths it affects.
public struct Damage: Sendable {
    /// What is damaged.
    public enum Kind: String, Sendable {
        /// File content in the blob store (a git blob's content).
        case blob
        /// A Git LFS object in the blob store.
        case lfsObject = "lfs_object"
        /// A manifest in the blob store.
        case manifest
        /// The catalog database itself (SQLite's integrity check).
        case catalog
        /// A catalog row pointing at a row the catalog does not hold.
        case reference
        /// A mirror that is missing, or does not hold what the catalog says it archived.
        case mirror
        /// A pack of the blob store (its bytes, its trailer), or a blob in it nothing references.
        case pack
    }

    /// How it is damaged.
    public enum Condition: String, Sendable {
        /// Not there at all.
        case missing
        /// There, but its content does not hash to its id.
        case corrupt
        /// There, but it cannot be read (permissions, I/O error).
        case unreadable
        /// Its content hashes right but is not what it should be (a manifest that does not parse).
        case invalid
        /// A reference to something that is not there.
        case dangling
    }

    public var kind: Kind
    public var condition: Condition
    /// The content id of a damaged blob, LFS object or manifest.
    public var id: ContentID?
    /// For an LFS object (or content that is also one): its size, as the catalog records it.
    public var lfsSize: Int64?
    /// What is wrong, in words.
    public var message: String
    /// Who uses it: "hub:package: path" (or "commit …" for a manifest no snapshot uses).
    public var usedBy: [String] = []

    public init(kind: Kind, condition: Condition, id: ContentID? = nil, lfsSize: Int64? = nil, message: String, usedBy: [String] = []) {
        self.kind = kind
        self.condition = condition
        self.id = id
        self.lfsSize = lfsSize
        self.message = message
        self.usedBy = usedBy
    }

    /// Whether `verify --repair` can try to restore it from a source (a mirror or an LFS server):
    /// stored content that is missing, corrupt or unreadable.
    public var isRestorable: Bool {
        guard kind == .blob || kind == .lfsObject || kind == .manifest, id != nil else { return false }
        return condition == .missing || condition == .corrupt || condition == .unreadable
    }

    /// The problem as one line: the message, then up to three of its users.
    public var description: String {
        guard !usedBy.isEmpty else { return message }
        return message + " (used by \(usedBy.prefix(3).joined(separator: "; "))\(usedBy.count > 3 ? "; …" : ""))"
    }
}
