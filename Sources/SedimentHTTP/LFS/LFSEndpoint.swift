import Foundation
import SedimentNetwork
import SedimentText

/// The Git LFS server of a repository: the URL under which `objects/batch` lives.
///
/// As git-lfs derives it: `lfs.url` from the repository's `.lfsconfig` when it names one,
/// else the repository URL with `.git` appended (when missing) and `/info/lfs`; `git://` and
/// ssh (`git@host:path`, `ssh://`) URLs are reached over `https://` on the same host.
public struct LFSEndpoint: Sendable, Equatable {
    public var url: String
    /// The addresses its batch requests may not reach, when the URL came from hub data (a
    /// `.lfsconfig` file, a repository a hub named); nil for one the operator chose.
    public var addressPolicy: AddressPolicy?

    public init(url: String) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// The batch API's URL.
    public var batchURL: String { url + "/objects/batch" }

    /// The endpoint of the repository at `repositoryURL`; nil for a local path.
    public static func derived(from repositoryURL: String) -> LFSEndpoint? {
        var base = repositoryURL.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasPrefix("http://") || base.hasPrefix("https://") {
            // keep
        } else if base.hasPrefix("git://") {
            base = "https://" + base.dropFirst("git://".count)
        } else if base.hasPrefix("ssh://") {
            var rest = Substring(base.dropFirst("ssh://".count))
            if let at = rest.firstIndex(of: "@"), at < (rest.firstIndex(of: "/") ?? rest.endIndex) { rest = rest[rest.index(after: at)...] }
            // ssh://host:port/path: the port is ssh's, not the web server's.
            if let slash = rest.firstIndex(of: "/") {
                let host = rest[..<slash].split(separator: ":").first.map(String.init) ?? ""
                base = "https://" + host + rest[slash...]
            } else {
                return nil
            }
        } else if let colon = base.firstIndex(of: ":"), !base[..<colon].contains("/") {
            // scp-like ssh: [user@]host:path
            var host = base[..<colon]
            if let at = host.firstIndex(of: "@") { host = host[host.index(after: at)...] }
            base = "https://" + host + "/" + base[base.index(after: colon)...]
        } else {
            return nil
        }
        if !base.hasSuffix(".git") { base += ".git" }
        return LFSEndpoint(url: base + "/info/lfs")
    }

    /// The `lfs.url` of a `.lfsconfig` file (git-config syntax), if it names one.
    public static func configuredURL(lfsconfig text: String) -> String? {
        var section = ""
        var found: String?
        for raw in TextLines.lines(of: text) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard let close = line.firstIndex(of: "]") else { continue }
                // [lfs] or [lfs "subsection"]: only the plain section holds lfs.url.
                section = line[line.index(after: line.startIndex)..<close].trimmingCharacters(in: .whitespaces).lowercased()
                line = String(line[line.index(after: close)...]).trimmingCharacters(in: .whitespaces)
                if line.isEmpty { continue }
            }
            guard section == "lfs", let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            guard key == "url" else { continue }
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), let close = value.dropFirst().firstIndex(of: "\"") {
                value = String(value[value.index(after: value.startIndex)..<close])
            } else if let comment = value.range(of: #"\s[;#]"#, options: .regularExpression) {
                value = value[..<comment.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            if !value.isEmpty { found = value }   // the last one wins, as in git
        }
        return found
    }
}
