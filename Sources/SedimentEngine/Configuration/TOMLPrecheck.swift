/// Invalid TOML that toml++ 3 (through TOMLKit) cannot be given, found before it sees it.
///
/// toml++ stops the process on two kinds of invalid text, by a failed assertion (or undefined
/// behaviour when built without assertions): a table header whose name begins with a
/// character no key can begin with (`[!]`, `[é]`, `[ *x]`, `[[` then a control character),
/// and a `}` where an array expects a value (`e = [}`, `e = [1, }`). Both are reported as
/// invalid TOML instead. A line is a header when it begins with `[` outside any multi-line
/// string or array, which is how TOML reads it; lines end and space is skipped as toml++
/// does it (a byte order mark and the Unicode spaces count as space, U+2028 as a line break).
enum TOMLPrecheck {
    /// The first such problem: its line (from 1) and what is wrong.
    static func firstProblem(in text: String) -> (line: Int, problem: String)? {
        var multilineString: [Unicode.Scalar]?   // the delimiter of the multi-line string being read
        var open: [Unicode.Scalar] = []           // arrays and inline tables open, across lines too
        let lines = text.unicodeScalars.split(omittingEmptySubsequences: false, whereSeparator: isLineBreak)
        for (index, raw) in lines.enumerated() {
            let line = Array(raw)
            var i = 0
            if multilineString == nil, open.isEmpty {
                while i < line.count, isSpace(line[i]) { i += 1 }
                if i < line.count, line[i] == "[" {
                    i += 1
                    if i < line.count, line[i] == "[" { i += 1 }
                    while i < line.count, isSpace(line[i]) { i += 1 }
                    let next = i < line.count ? line[i] : nil
                    guard let next, next.isASCII, next.properties.isAlphabetic || ("0"..."9").contains(next)
                            || "_-\"']".unicodeScalars.contains(next) else {
                        let found = next.map { String(Character($0)).debugDescription } ?? "the end of the line"
                        return (index + 1, "a table header must begin with a key (letters, digits, _ or -, or a quoted key), not \(found)")
                    }
                    continue
                }
                i = 0
            }
            while i < line.count {
                if let delimiter = multilineString {
                    if line[i] == "\\" && delimiter[0] == "\"" { i += 2; continue }
                    if Array(line[i..<min(line.count, i + 3)]) == delimiter { multilineString = nil; i += 3 } else { i += 1 }
                    continue
                }
                let c = line[i]
                if c == "#" { break }
                if c == "\"" || c == "'" {
                    if i + 2 < line.count, line[i + 1] == c, line[i + 2] == c {
                        multilineString = [c, c, c]
                        i += 3
                        continue
                    }
                    // A one-line string: to its closing quote.
                    i += 1
                    while i < line.count, line[i] != c { i += c == "\"" && line[i] == "\\" ? 2 : 1 }
                    i += 1
                    continue
                }
                if c == "[" || c == "{" { open.append(c) }
                if c == "}", open.last == "[" { return (index + 1, "a } where the array expects a value or ]") }
                if c == "]" || c == "}" { _ = open.popLast() }
                i += 1
            }
        }
        return nil
    }

    /// toml++'s horizontal whitespace: space, tab, and the Unicode spaces.
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x20, 0x09, 0xA0, 0x1680, 0x180E, 0x2000...0x200B, 0x202F, 0x205F...0x2060, 0x3000, 0xFEFF: return true
        default: return false
        }
    }

    /// toml++'s vertical whitespace, each of which ends a line for this check.
    static func isLineBreak(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x0A...0x0D, 0x85, 0x2028...0x2029: return true
        default: return false
        }
    }
}
