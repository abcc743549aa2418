import Foundation

/// The one rule for keeping secrets out of errors, logs and the catalog.
///
/// A URL may carry credentials in its userinfo (`https://user:token@host/…`); text may carry
/// secrets Sediment knows (a token, a signed query). ``url(_:)`` removes the first kind from
/// every URL inside a text, ``redact(_:secrets:)`` both:
///
///     Redaction.url("fetch https://me:hf_x@huggingface.co/org/m failed")
///     // "fetch https://***@huggingface.co/org/m failed"
///
/// The userinfo is what lies between `scheme://` and the last `@` of the authority, and the
/// authority ends at the first `/`, `?` or `#` (RFC 3986, section 3.2), or at whitespace or a
/// quote when the URL is inside a sentence. An `@` in the path, query or fragment is left as
/// it is. Text without `://` (a local path, ssh's `git@host:path`, whose user is no secret)
/// is returned unchanged.
public enum Redaction {
    /// What replaces a secret.
    public static let mask = "***"

    /// `text` with the userinfo of every URL in it replaced by `***`.
    public static func url(_ text: String) -> String {
        guard text.contains("@"), text.contains("://") else { return text }
        var out = ""
        var rest = Substring(text)
        while let scheme = rest.range(of: "://") {
            out += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let end = rest.firstIndex(where: endsAuthority) ?? rest.endIndex
            let authority = rest[..<end]
            if let at = authority.lastIndex(of: "@") {
                out += mask + "@" + authority[authority.index(after: at)...]
            } else {
                out += authority
            }
            rest = rest[end...]
        }
        return out + rest
    }

    /// `text` with each of `secrets` (those of 4 characters or more: shorter ones would mask
    /// ordinary words) replaced by `***`, then the userinfo of every URL in it.
    public static func redact(_ text: String, secrets: [String]) -> String {
        var result = text
        for secret in secrets where secret.count >= 4 {
            result = result.replacingOccurrences(of: secret, with: mask)
        }
        return url(result)
    }

    /// Whether `character` ends a URL's authority: its delimiters, or the end of a URL quoted
    /// in a sentence.
    private static func endsAuthority(_ character: Character) -> Bool {
        switch character {
        case "/", "?", "#", " ", "\t", "\r", "\n", "\r\n", "'", "\"", "<", ">": return true
        default: return false
        }
    }
}
