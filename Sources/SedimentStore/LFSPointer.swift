import Foundation

/// A Git LFS pointer file, parsed by the rules of the git-lfs specification
/// (<https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md>).
///
/// A blob is a pointer only when all of these hold: it is under 1024 bytes and valid UTF-8;
/// every line is `key value` ended by `\n` (no `\r`); the first key is `version` with a
/// known spec URL; the other keys are in strictly ascending order and made of `[a-z0-9.-]`;
/// `oid` is `sha256:` and 64 lowercase hex digits; `size` is a decimal number. Unknown keys
/// (extensions) are kept.
public struct LFSPointer: Equatable, Sendable {
    /// The spec URL on the `version` line.
    public var version: String
    /// The SHA-256 of the object's content.
    public var oid: ContentID
    /// The object's size in bytes.
    public var size: Int64
    /// Keys other than version, oid and size, in file order.
    public var extra: [(key: String, value: String)]

    public static let maximumSize = 1024
    public static let knownVersions = ["https://git-lfs.github.com/spec/v1", "https://hawser.github.com/spec/v1"]

    public static func == (a: LFSPointer, b: LFSPointer) -> Bool {
        a.version == b.version && a.oid == b.oid && a.size == b.size
            && a.extra.map { $0.key + " " + $0.value } == b.extra.map { $0.key + " " + $0.value }
    }

    /// Parses `bytes`; nil when they are not a valid pointer.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> LFSPointer? {
        guard bytes.count > 0, bytes.count < maximumSize, bytes.last == UInt8(ascii: "\n") else { return nil }
        guard !bytes.contains(UInt8(ascii: "\r")) else { return nil }
        guard let text = String(validating: bytes.bindMemory(to: UInt8.self), as: UTF8.self) else { return nil }
        return parse(text)
    }

    /// Parses `data`; nil when it is not a valid pointer.
    public static func parse(_ data: Data) -> LFSPointer? {
        data.withUnsafeBytes { parse($0) }
    }

    /// A pointer is byte-exact text: its lines end with `\n` alone, as the spec says and as
    /// git-lfs reads them. A `\r\n` ending (one `Character` in Swift, so never split here) makes
    /// the blob not a pointer, for Sediment as for git-lfs.
    private static func parse(_ text: String) -> LFSPointer? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.last == "" else { return nil }
        lines.removeLast()
        guard lines.count >= 3 else { return nil }
        var version: String?
        var oid: ContentID?
        var size: Int64?
        var extra: [(String, String)] = []
        var previousKey = ""
        for (index, line) in lines.enumerated() {
            guard let space = line.firstIndex(of: " ") else { return nil }
            let key = String(line[..<space])
            let value = String(line[line.index(after: space)...])
            guard !key.isEmpty, key.utf8.allSatisfy({ isKeyByte($0) }) else { return nil }
            if index == 0 {
                guard key == "version", knownVersions.contains(value) else { return nil }
                version = value
                continue
            }
            guard key != "version", key > previousKey else { return nil }
            previousKey = key
            switch key {
            case "oid":
                guard value.hasPrefix("sha256:") else { return nil }
                let hex = String(value.dropFirst(7))
                guard hex.utf8.count == 64, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else { return nil }
                oid = ContentID(hex: hex)
            case "size":
                guard !value.isEmpty, value.utf8.count <= 19, value.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int64(value) else { return nil }
                size = n
            default:
                extra.append((key, value))
            }
        }
        guard let version, let oid, let size else { return nil }
        return LFSPointer(version: version, oid: oid, size: size, extra: extra)
    }

    private static func isKeyByte(_ b: UInt8) -> Bool {
        (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b == UInt8(ascii: ".") || b == UInt8(ascii: "-")
    }
}
