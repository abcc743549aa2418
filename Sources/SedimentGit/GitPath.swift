import Foundation

/// File names in git are bytes; Sediment's manifests, catalog and output use text. This is
/// the one reversible mapping between them: a name that is valid UTF-8 and holds no
/// backslash is kept as it is (nearly every name); any other is written with each backslash
/// as `\\` and each byte that is not part of valid UTF-8 as `\xHH`. Two different names
/// therefore never read the same (`bad\xff.bin` and `bad\xfe.bin` stay two files), and the
/// bytes can be had back for libgit2.
public enum GitPath {
    /// The text form of a name or path given as bytes.
    public static func text<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        if !bytes.contains(0x5C), let valid = String(validating: bytes, as: UTF8.self) { return valid }
        var out = ""
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == 0x5C {
                out += "\\\\"
                index = bytes.index(after: index)
                continue
            }
            // The longest valid UTF-8 sequence starting here (1 to 4 bytes), or one escaped byte.
            let length = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC2 ? 2 : 0
            if length > 0, let end = bytes.index(index, offsetBy: length, limitedBy: bytes.endIndex),
               let scalar = String(validating: bytes[index..<end], as: UTF8.self) {
                out += scalar
                index = end
            } else {
                out += String(format: "\\x%02x", byte)
                index = bytes.index(after: index)
            }
        }
        return out
    }

    /// The text form of a C string (a name libgit2 gave).
    public static func text(cString: UnsafePointer<CChar>) -> String {
        text(UnsafeRawBufferPointer(start: cString, count: strlen(cString)).bindMemory(to: UInt8.self))
    }

    /// The bytes of a name or path in its text form (the inverse of ``text(_:)``).
    public static func bytes(_ text: String) -> [UInt8] {
        guard text.contains("\\") else { return Array(text.utf8) }
        var out: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.first {
            if byte == 0x5C, utf8.count >= 2, utf8[utf8.startIndex + 1] == 0x5C {
                out.append(0x5C)
                utf8 = utf8.dropFirst(2)
            } else if byte == 0x5C, utf8.count >= 4, utf8[utf8.startIndex + 1] == UInt8(ascii: "x"),
                      let value = UInt8(String(decoding: utf8.dropFirst(2).prefix(2), as: UTF8.self), radix: 16) {
                out.append(value)
                utf8 = utf8.dropFirst(4)
            } else {
                out.append(byte)
                utf8 = utf8.dropFirst()
            }
        }
        return out
    }

    /// Calls `body` with the NUL-terminated bytes of a path in its text form.
    static func withCString<T>(_ text: String, _ body: (UnsafePointer<CChar>) throws -> T) rethrows -> T {
        var raw = bytes(text)
        raw.append(0)
        return try raw.withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }
}
