import Foundation

/// Reads text by lines the way people and editors mean it, whatever wrote the file.
///
/// A line ends at `\n`, `\r\n` or a lone `\r` (old Mac files, and YAML's own rule); a UTF-8
/// byte order mark at the start is dropped; a last line without a newline is still a line,
/// and a final newline does not add an empty one. This is the one place Sediment splits
/// text into lines: Swift's `String.split(separator: "\n")` never splits `"\r\n"`, which
/// is a single `Character`, so a CRLF file would read as one line.
public enum TextLines {
    /// The UTF-8 byte order mark.
    public static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The lines of `text`, without their line endings.
    public static func lines<S: StringProtocol>(of text: S) -> [String] {
        var lines: [String] = []
        var current: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        if bytes.starts(with: byteOrderMark) { bytes = bytes.dropFirst(3) }
        var index = bytes.startIndex
        var endedWithBreak = false
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == 0x0A || byte == 0x0D {
                lines.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
                if byte == 0x0D, bytes.index(after: index) < bytes.endIndex, bytes[bytes.index(after: index)] == 0x0A {
                    index = bytes.index(after: index)
                }
                endedWithBreak = true
            } else {
                current.append(byte)
                endedWithBreak = false
            }
            index = bytes.index(after: index)
        }
        if !current.isEmpty || (!endedWithBreak && !bytes.isEmpty) {
            lines.append(String(decoding: current, as: UTF8.self))
        }
        return lines
    }

    /// The text of UTF-8 `data` without a leading byte order mark; nil when it is not UTF-8.
    public static func decode(_ data: Data) -> String? {
        let body = data.starts(with: byteOrderMark) ? data.dropFirst(3) : data[...]
        return String(data: Data(body), encoding: .utf8)
    }
}
