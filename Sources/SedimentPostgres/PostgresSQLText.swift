/// The catalog's SQL text as PostgreSQL needs it: `?` marks become `$1…$n`, and a script of
/// several statements is cut into statements (PostgreSQL's extended protocol, which takes
/// arguments, runs one statement at a time).
///
/// Both skip what is not SQL code: '…' literals (with '' inside, and E'…' with backslash
/// escapes), "…" identifiers, `--` and nested `/* */` comments, and $tag$…$tag$ strings.
enum PostgresSQLText {
    /// `sql` with its `?` marks numbered `$1`, `$2`…, and how many there were.
    static func numberingPlaceholders(_ sql: String) -> (sql: String, count: Int) {
        var out = String.UnicodeScalarView()
        var count = 0
        scan(sql) { scalar, isCode in
            if isCode && scalar == "?" {
                count += 1
                out.append(contentsOf: "$\(count)".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return (String(out), count)
    }

    /// The statements of a script, cut at the semicolons that end them; statements with
    /// nothing but blanks and comments are left out.
    static func statements(_ sql: String) -> [String] {
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var hasCode = false
        scan(sql) { scalar, isCode in
            if isCode && scalar == ";" {
                if hasCode { statements.append(String(current)) }
                current = String.UnicodeScalarView()
                hasCode = false
            } else {
                current.append(scalar)
                if isCode && !scalar.properties.isWhitespace { hasCode = true }
            }
        }
        if hasCode { statements.append(String(current)) }
        return statements
    }

    /// Calls `body` with every scalar of `sql`, saying whether it is SQL code (true) or
    /// inside a literal, an identifier or a comment (false). Delimiters of literals count as
    /// not code; an unterminated literal runs to the end.
    static func scan(_ sql: String, _ body: (Unicode.Scalar, Bool) -> Void) {
        let scalars = Array(sql.unicodeScalars)
        var i = 0
        func emit(_ range: Range<Int>, code: Bool) {
            for k in range { body(scalars[k], code) }
        }
        while i < scalars.count {
            let c = scalars[i]
            let next: Unicode.Scalar? = i + 1 < scalars.count ? scalars[i + 1] : nil
            switch c {
            case "'":
                let escapes = i > 0 && (scalars[i - 1] == "E" || scalars[i - 1] == "e") && (i < 2 || !isIdentifier(scalars[i - 2]))
                let end = quoted(scalars, from: i, quote: "'", backslashEscapes: escapes)
                emit(i..<end, code: false)
                i = end
            case "\"":
                let end = quoted(scalars, from: i, quote: "\"", backslashEscapes: false)
                emit(i..<end, code: false)
                i = end
            case "-" where next == "-":
                var end = i
                while end < scalars.count && scalars[end] != "\n" { end += 1 }
                emit(i..<end, code: false)
                i = end
            case "/" where next == "*":
                var end = i + 2
                var depth = 1
                while end < scalars.count && depth > 0 {
                    if scalars[end] == "/" && end + 1 < scalars.count && scalars[end + 1] == "*" {
                        depth += 1
                        end += 2
                    } else if scalars[end] == "*" && end + 1 < scalars.count && scalars[end + 1] == "/" {
                        depth -= 1
                        end += 2
                    } else {
                        end += 1
                    }
                }
                emit(i..<end, code: false)
                i = end
            case "$" where !(i > 0 && isIdentifier(scalars[i - 1])):
                if let end = dollarQuoted(scalars, from: i) {
                    emit(i..<end, code: false)
                    i = end
                } else {
                    body(c, true)
                    i += 1
                }
            default:
                body(c, true)
                i += 1
            }
        }
    }

    /// The index after the literal opening at `start` (its closing quote included).
    private static func quoted(_ scalars: [Unicode.Scalar], from start: Int, quote: Unicode.Scalar, backslashEscapes: Bool) -> Int {
        var i = start + 1
        while i < scalars.count {
            if backslashEscapes && scalars[i] == "\\" {
                i += 2
                continue
            }
            if scalars[i] == quote {
                if i + 1 < scalars.count && scalars[i + 1] == quote {
                    i += 2
                    continue
                }
                return i + 1
            }
            i += 1
        }
        return scalars.count
    }

    /// The index after a $tag$…$tag$ string opening at `start`, or nil when `$` does not open one
    /// (a `$1` parameter, or a `$` inside an identifier).
    private static func dollarQuoted(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        var i = start + 1
        while i < scalars.count && scalars[i] != "$" {
            guard isIdentifier(scalars[i]), !(i == start + 1 && ("0"..."9").contains(scalars[i])) else { return nil }
            i += 1
        }
        guard i < scalars.count else { return nil }
        let tag = Array(scalars[start...i])
        var j = i + 1
        while j + tag.count <= scalars.count {
            if Array(scalars[j..<(j + tag.count)]) == tag { return j + tag.count }
            j += 1
        }
        return scalars.count
    }

    private static func isIdentifier(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
    }
}
