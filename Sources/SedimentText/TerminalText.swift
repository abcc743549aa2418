/// Text that reaches a terminal or a log line made harmless: hub data (an index entry's
/// name, a model id, a server's error message) can hold a newline that forges a log line or
/// an escape sequence that clears the screen. Control characters are shown as escapes
/// instead (`\n`, `\r`, `\x1b`, `\u{202e}`); everything else is kept. JSON output needs none
/// of this: its encoder escapes control characters itself.
public enum TerminalText {
    /// `text` with every control character (C0 but tab, DEL, C1) and every bidirectional
    /// override written as a visible escape.
    public static func escaped<S: StringProtocol>(_ text: S) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return String(text) }
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default:
                let hex = String(scalar.value, radix: 16)
                out += scalar.value < 0x80 ? "\\x" + (hex.count < 2 ? "0" + hex : hex) : "\\u{" + hex + "}"
            }
        }
        return out
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09: return false
        case 0x00...0x1F, 0x7F, 0x80...0x9F: return true
        case 0x202A...0x202E, 0x2066...0x2069: return true   // bidirectional embeddings, overrides, isolates
        default: return false
        }
    }
}
