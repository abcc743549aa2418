import Crypto
import Foundation
import SedimentRedaction

/// Helpers for repository URLs: credential redaction and the mirror folder a URL maps to.
public enum GitURL {
    /// The URL with any `user:password@` part replaced by `***@`, safe to log or store
    /// (``Redaction/url(_:)``).
    public static func redacted(_ url: String) -> String {
        Redaction.url(url)
    }

    /// A relative folder under `mirrors/` for a repository URL, one per exact URL: a readable
    /// part (the host and port, then the path with every character outside `[A-Za-z0-9-_.+@]`
    /// as `_`, no `..` component; local paths under `local/`) and 32 hex digits of the SHA-256
    /// of the URL without credentials, so `…/modèle` and `…/modéle`, or `a` and `a.git`, never
    /// share a mirror.
    ///
    ///     https://huggingface.co/google/bert  -> huggingface.co/google/bert-1b4f0e98…(32).git
    ///     /srv/git/model.git                  -> local/srv/git/model-5d41402a…(32).git
    public static func mirrorPath(for url: String) -> String {
        var readable = legacyMirrorPath(for: url)
        if readable.hasSuffix(".git") { readable.removeLast(4) }
        let digest = SHA256.hash(data: Data(redacted(url).utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
        return readable + "-" + digest + ".git"
    }

    /// The mirror folder of earlier versions, which mapped different URLs to one folder; kept
    /// to move existing mirrors to ``mirrorPath(for:)``.
    ///
    ///     https://huggingface.co/google/bert  -> huggingface.co/google/bert.git
    ///     git://127.0.0.1:9418/org/a.git      -> 127.0.0.1_9418/org/a.git
    public static func legacyMirrorPath(for url: String) -> String {
        var host = "local"
        var path = url
        if let scheme = url.range(of: "://") {
            let rest = url[scheme.upperBound...]
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            var authority = String(rest[..<slash])
            if let at = authority.lastIndex(of: "@") { authority = String(authority[authority.index(after: at)...]) }
            host = authority.isEmpty ? "local" : authority.replacingOccurrences(of: ":", with: "_")
            path = String(rest[slash...])
        } else if !url.hasPrefix("/"), let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/") {
            // scp-like ssh syntax: user@host:path
            var authority = String(url[..<colon])
            if let at = authority.lastIndex(of: "@") { authority = String(authority[authority.index(after: at)...]) }
            host = authority
            path = String(url[url.index(after: colon)...])
        }
        let components = path.split(separator: "/").filter { !$0.isEmpty && $0 != "." && $0 != ".." }
            .map { component in
                String(component.map { ch -> Character in
                    (ch.isLetter || ch.isNumber || "-_.+@".contains(ch)) && ch.isASCII ? ch : "_"
                })
            }
        var joined = ([host] + components).joined(separator: "/")
        while joined.hasSuffix("/") { joined.removeLast() }
        if !joined.hasSuffix(".git") { joined += ".git" }
        return joined
    }
}
