import Foundation
import SedimentEngine
import SedimentStore
import SedimentText

/// Writing to stdout (results) and stderr (errors, logs, progress). Every human-readable
/// line is one line: control characters in it (a newline or an escape sequence in a name a
/// hub chose) are shown as escapes (``TerminalText``), so output and logs cannot be forged.
enum Output {
    static let stderrIsTerminal = isatty(STDERR_FILENO) == 1

    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((TerminalText.escaped(text) + "\n").utf8))
    }

    static func json(_ value: JSONValue) {
        FileHandle.standardOutput.write(Data((value.serialized() + "\n").utf8))
    }

    static func raw(_ data: Data) {
        FileHandle.standardOutput.write(data)
    }

    /// Writes bytes to stdout as they are (no copy into a `Data`).
    static func raw(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let n = write(STDOUT_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return   // a closed pipe (`| head`): nothing more to say
            }
            offset += n
        }
    }

    /// The one way an error reaches the user: "sediment: error: " and the message.
    static func error(_ text: String) {
        errorRaw("sediment: error: " + text)
    }

    /// A line of information on stderr ("sediment: " and the text), apart from the results on stdout.
    static func note(_ text: String) {
        errorRaw("sediment: " + text)
    }

    static func errorRaw(_ text: String) {
        FileHandle.standardError.write(Data((TerminalText.escaped(text.hasSuffix("\n") ? text.dropLast() : Substring(text)) + "\n").utf8))
    }

    /// A progress line: `control` (Sediment's own cursor movements) then `text`, escaped.
    static func progress(_ text: String, after control: String = "") {
        FileHandle.standardError.write(Data((control + TerminalText.escaped(text)).utf8))
    }

    /// A count in words that agree with it: "1 new commit", "2 new commits" (`plural` when
    /// adding "s" is not the plural: "1 entry", "2 entries").
    static func count(_ n: Int, _ singular: String, plural: String? = nil) -> String {
        "\(n) " + (n == 1 ? singular : plural ?? singular + "s")
    }

    /// "1.2 MiB", "512 B".
    static func bytes(_ n: Int64) -> String {
        ByteCount.format(n)
    }

    /// A commit time as ISO 8601 in its own offset: "2024-05-01T12:00:00+02:00".
    static func gitTime(_ seconds: Int64, offsetMinutes: Int) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(secondsFromGMT: offsetMinutes * 60)
        return formatter.string(from: date)
    }

    /// Left-aligned columns.
    static func table(_ rows: [[String]]) {
        guard let width = rows.map(\.count).max() else { return }
        var widths = [Int](repeating: 0, count: width)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        for row in rows {
            let cells = row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
            var text = cells.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            line(text)
        }
    }
}
