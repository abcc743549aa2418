import Foundation

/// The YAML front matter of a Markdown file: the lines between a first line `---` and the
/// next line `---` (or `...`), as model cards on Hugging Face and PyTorch Hub carry it.
/// Line endings may be `\n`, `\r\n` or mixed, and a byte order mark may precede the first `---`.
public struct FrontMatter: Sendable, Equatable {
    /// The YAML text between the delimiters, its lines joined with `\n`.
    public var yaml: String
    /// The text after the closing delimiter, its lines joined with `\n`.
    public var body: String

    /// The front matter of `text`; nil when the text does not open with a `---` line closed by
    /// a later `---` or `...` line.
    public init?(_ text: String) {
        let lines = TextLines.lines(of: text)
        guard lines.first.map(Self.isOpening) == true,
              let end = lines.dropFirst().firstIndex(where: { Self.isClosing($0) }) else { return nil }
        yaml = lines[1..<end].joined(separator: "\n")
        body = lines[(end + 1)...].joined(separator: "\n")
    }

    /// Whether `text` opens with a `---` line, as a card with front matter does, closed or not.
    public static func opens(_ text: String) -> Bool {
        TextLines.lines(of: text.prefix(8)).first.map(isOpening) == true
    }

    private static func isOpening(_ line: String) -> Bool { line.trimmingCharacters(in: .whitespaces) == "---" }
    private static func isClosing(_ line: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed == "---" || trimmed == "..."
    }
}
