import Foundation

/// The immutable state of a package seen by an eventful visit: its refs and their targets,
/// its head commit, the manifest of that head, and its hub metadata.
///
/// Its id is the SHA-256 of this canonical form, so equal states have equal ids:
///
///     sediment-snapshot 1
///     hub <hub name>
///     package <package id>
///     head <commit hex or ->
///     manifest <manifest id or ->
///     metadata <sha256 of the hub metadata's canonical JSON, or ->
///     ref <name> <object hex>        (one per ref, sorted by name)
public struct SnapshotState: Equatable, Sendable {
    public var hub: String
    public var package: String
    public var head: String?
    public var manifest: ContentID?
    public var metadata: ContentID?
    public var refs: [String: String]

    public init(hub: String, package: String, head: String?, manifest: ContentID?, metadata: ContentID?, refs: [String: String]) {
        self.hub = hub
        self.package = package
        self.head = head
        self.manifest = manifest
        self.metadata = metadata
        self.refs = refs
    }

    public func canonicalData() -> Data {
        var text = "sediment-snapshot 1\n"
        text += "hub \(hub)\npackage \(package)\n"
        text += "head \(head ?? "-")\nmanifest \(manifest?.hex ?? "-")\nmetadata \(metadata?.hex ?? "-")\n"
        for name in refs.keys.sorted() {
            text += "ref \(name) \(refs[name]!)\n"
        }
        return Data(text.utf8)
    }

    public var id: ContentID { ContentID.of(canonicalData()) }
}
