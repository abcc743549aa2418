import Crypto
import Foundation
import SedimentStore

/// The ids under which `sediment serve` offers packages to Hugging Face clients.
///
/// - A package of a `huggingface` hub keeps its own id (`google-bert/bert-tiny`).
/// - Every package, of any hub, is also offered as `sediment.HUB/NAME`: NAME is the package id
///   with `/` written `.` when the id is made of letters, digits, `_` and `-` between its
///   slashes; any other id is written with those characters only and ends in `_` and 8 hex
///   digits of the SHA-256 of the id, so that two ids never share a name. Hugging Face gives
///   no account a namespace with a dot, so these ids cannot be one of the Hub's.
///
/// Both forms pass `huggingface_hub`'s own check of a repository id (word characters, `-`
/// and `.`, no `--` or `..`, at most 96 characters).
public struct ServedIDs: Sendable {
    /// Served id → package row id.
    private var packages: [String: Int64] = [:]
    /// Package row id → the id it is shown under (its own for Hugging Face, else the alias).
    private var names: [Int64: String] = [:]

    /// Packages by row id, hub and id, in the order that settles a shared id (hub, then id).
    public init(_ summaries: [(rowID: Int64, hub: String, id: String)], huggingFaceHubs: Set<String>) {
        // The Hugging Face hubs' own ids first, in hub order: a second hub with the same id is
        // reachable under its alias only.
        for package in summaries where huggingFaceHubs.contains(package.hub) && Self.isValid(package.id) {
            if packages[package.id] == nil {
                packages[package.id] = package.rowID
                names[package.rowID] = package.id
            }
        }
        for package in summaries {
            let alias = Self.alias(hub: package.hub, id: package.id)
            if packages[alias] == nil { packages[alias] = package.rowID }
            if names[package.rowID] == nil { names[package.rowID] = alias }
        }
    }

    /// The package row id served under `id`.
    public func package(_ id: String) -> Int64? { packages[id] }

    /// The id a package is shown under.
    public func name(of rowID: Int64) -> String? { names[rowID] }

    /// `sediment.HUB/NAME` for package `id` of `hub`.
    public static func alias(hub: String, id: String) -> String {
        let namespace = "sediment." + clean(hub, limit: 40)
        let room = 96 - namespace.count - 1
        let parts = id.split(separator: "/", omittingEmptySubsequences: false)
        let plain = parts.allSatisfy { part in !part.isEmpty && part.allSatisfy(isWordOrDash) }
        var name = parts.joined(separator: ".")
        if !plain || name.count > room || !isValid(namespace + "/" + name) {
            let digest = SHA256.hash(data: Data(id.utf8)).map { String(format: "%02x", $0) }.joined().prefix(8)
            name = clean(id, limit: room - 9) + "_" + digest
        }
        return namespace + "/" + name
    }

    /// Whether `id` passes the Hugging Face client's check of a repository id.
    public static func isValid(_ id: String) -> Bool {
        guard id.count <= 96, !id.contains("--"), !id.contains(".."), !id.hasSuffix(".git") else { return false }
        let parts = id.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return false }
        return parts.allSatisfy { part in
            guard let first = part.first, let last = part.last else { return false }
            return isWord(first) && isWord(last) && part.allSatisfy { isWordOrDash($0) || $0 == "." }
        }
    }

    private static func isWord(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "_") }
    private static func isWordOrDash(_ c: Character) -> Bool { isWord(c) || c == "-" }

    /// `text` with every character other than a letter, digit or `-` written `_`, no `--`,
    /// starting and ending with a word character, at most `limit` characters.
    private static func clean(_ text: String, limit: Int) -> String {
        var out = ""
        for c in text {
            let next: Character = isWordOrDash(c) ? c : "_"
            if next == "-", out.last == "-" || out.isEmpty { out.append("_") } else { out.append(next) }
        }
        out = String(out.prefix(max(1, limit)))
        if let last = out.last, !isWord(last) { out.removeLast(); out.append("_") }
        return out.isEmpty ? "_" : out
    }
}
