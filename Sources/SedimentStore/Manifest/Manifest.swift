import Foundation

/// One file of a manifest.
public struct ManifestEntry: Equatable, Sendable {
    /// Path relative to the package root (its subpath, when it has one), `/`-separated.
    public var path: String
    /// The git file mode (0o100644, 0o100755, 0o120000, 0o160000).
    public var mode: UInt32
    /// Size of the git blob in bytes (for an LFS pointer, the pointer's size).
    public var size: Int64
    /// The git blob id (40 hex), or the commit id of a submodule.
    public var blob: String
    /// SHA-256 of the blob's content; nil for a submodule link, which has no content here.
    public var sha256: ContentID?
    /// The LFS object this file points at, when it is a valid LFS pointer.
    public var lfsOID: ContentID?
    public var lfsSize: Int64?

    public init(path: String, mode: UInt32, size: Int64, blob: String, sha256: ContentID?, lfsOID: ContentID? = nil, lfsSize: Int64? = nil) {
        self.path = path
        self.mode = mode
        self.size = size
        self.blob = blob
        self.sha256 = sha256
        self.lfsOID = lfsOID
        self.lfsSize = lfsSize
    }

    /// The mode as git prints it: six octal digits.
    public var modeString: String {
        let octal = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 6 - octal.count)) + octal
    }

    /// The canonical JSON object of this entry (keys in a fixed order).
    public var canonicalJSON: JSONValue {
        .object([
            ("path", .string(path)),
            ("mode", .string(modeString)),
            ("size", .int(size)),
            ("blob", .string(blob)),
            ("sha256", .optional(sha256?.hex)),
            ("lfs_oid", .optional(lfsOID?.hex)),
            ("lfs_size", .optional(lfsSize)),
        ])
    }
}

/// The sorted list of files of one commit (or of a package's subpath in it).
///
/// Canonical form (what the id hashes and what the blob store keeps): the line
/// `sediment-manifest 1`, then one canonical JSON object per entry, in ascending order of the
/// path's UTF-8 bytes, each line ended by `\n`. Equal file lists have equal ids.
public struct Manifest: Equatable, Sendable {
    public private(set) var entries: [ManifestEntry]

    public static let header = "sediment-manifest 1"

    public init(entries: [ManifestEntry]) {
        self.entries = entries.sorted { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }
    }

    /// The canonical serialisation.
    public func canonicalData() -> Data {
        var text = Self.header + "\n"
        text.reserveCapacity(entries.count * 200)
        for entry in entries {
            entry.canonicalJSON.write(into: &text)
            text += "\n"
        }
        return Data(text.utf8)
    }

    /// The manifest's id: the SHA-256 of its canonical form.
    public var id: ContentID { ContentID.of(canonicalData()) }

    /// Parses a canonical serialisation (as read back from the blob store).
    public static func parse(_ data: Data) throws -> Manifest {
        guard let text = String(data: data, encoding: .utf8) else { throw ManifestError.malformed("not UTF-8") }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first.map(String.init) == header else { throw ManifestError.malformed("missing header line") }
        lines.removeFirst()
        if lines.last == "" { lines.removeLast() }
        var entries: [ManifestEntry] = []
        entries.reserveCapacity(lines.count)
        for (number, line) in lines.enumerated() {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let path = object["path"] as? String,
                  let modeText = object["mode"] as? String, let mode = UInt32(modeText, radix: 8),
                  let size = (object["size"] as? NSNumber)?.int64Value,
                  let blob = object["blob"] as? String
            else { throw ManifestError.malformed("line \(number + 2) is not a manifest entry") }
            entries.append(ManifestEntry(
                path: path, mode: mode, size: size, blob: blob,
                sha256: (object["sha256"] as? String).flatMap(ContentID.init(hex:)),
                lfsOID: (object["lfs_oid"] as? String).flatMap(ContentID.init(hex:)),
                lfsSize: (object["lfs_size"] as? NSNumber)?.int64Value))
        }
        return Manifest(entries: entries)
    }

    /// The number of files and their total size (pointer sizes for LFS files).
    public var totalBytes: Int64 { entries.reduce(0) { $0 + $1.size } }
}

public enum ManifestError: Error, CustomStringConvertible {
    case malformed(String)
    public var description: String {
        switch self {
        case .malformed(let why): return "malformed manifest: \(why)"
        }
    }
}
