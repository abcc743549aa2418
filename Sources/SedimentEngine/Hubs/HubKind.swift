import Foundation
import SedimentGit
import SedimentHubs
import TOMLKit

/// What one kind of hub (`kind = "…"` of a `[[hub]]`) brings: the settings it reads, how its
/// packages are listed, what it says of a package it stopped listing, where its token comes
/// from by default, and what a visit adds to the hub's metadata. Every kind is one type,
/// named in ``HubKinds/all``; configuration, discovery and visits ask the registry, so adding
/// a hub is adding one file (and its tests).
protocol HubKind: Sendable {
    /// The `kind` value of the configuration.
    var name: String { get }
    /// Keys of a `[[hub]]` table this kind reads, beyond the ones every hub has.
    var configurationKeys: [String] { get }
    /// Whether the repository URLs of its packages are the operator's own (no address
    /// policy): a `git` hub's are; other hubs name repositories in their data.
    var urlsAreOperatorChosen: Bool { get }
    /// The hub's name in exports ("HuggingFace", "PyTorch Hub").
    var displayName: String { get }
    /// Whether a package id is `owner/name` (the owner is not the repository's).
    var idsAreOwnerAndName: Bool { get }
    /// Where the hub is: its endpoint or index repository as configured (`hub`), else the
    /// kind's default.
    func location(of hub: Configuration.Hub?) -> String

    /// Reads this kind's keys of the `[[hub]]` table at `path` into `hub`.
    func configure(_ hub: inout Configuration.Hub, from table: TOMLTable, at path: String, reader: TableReader) throws
    /// The packages the hub lists now.
    func discover(_ discovery: Discovery) throws -> Discovery.Result
    /// What the hub says now of a package it no longer lists; nil when the kind cannot ask.
    func lookup(_ id: String, discovery: Discovery) throws -> HuggingFaceHub.Lookup?
    /// The environment variable holding the hub's token when neither `token_file` nor
    /// `token_env` is configured; nil for none.
    func defaultTokenVariable(environment: [String: String]) -> String?
    /// The hub's metadata after a visit, with what the package's files at `head` say that the
    /// kind asks for; `metadata` is what the hub reported.
    func metadata(_ metadata: String?, of ref: PackageRef, in repository: Repository, at head: ObjectID) throws -> String?
}

extension HubKind {
    var urlsAreOperatorChosen: Bool { false }
    var idsAreOwnerAndName: Bool { false }
    func lookup(_ id: String, discovery: Discovery) throws -> HuggingFaceHub.Lookup? { nil }
    func defaultTokenVariable(environment: [String: String]) -> String? { nil }
    func metadata(_ metadata: String?, of ref: PackageRef, in repository: Repository, at head: ObjectID) throws -> String? { metadata }
}

/// The hub kinds of this version, in the order the configuration names them.
enum HubKinds {
    static let all: [any HubKind] = [HuggingFaceKind(), PyTorchHubKind(), ONNXModelZooKind(), ModelhubKind(), ModelZooKind(), GitKind()]

    /// The names of every kind.
    static var names: [String] { all.map(\.name) }

    /// The kind named `name`.
    static func named(_ name: String) throws -> any HubKind {
        guard let kind = all.first(where: { $0.name == name }) else { throw UnknownHubKind(name: name) }
        return kind
    }
}

/// A hub kind no type of ``HubKinds/all`` answers to.
struct UnknownHubKind: Error, CustomStringConvertible {
    var name: String
    var description: String { "hub kind \(name) cannot be crawled by this version (known kinds: \(HubKinds.names.joined(separator: ", ")))" }
}

extension Configuration.Hub {
    /// The type of this hub's kind (validated when the configuration was read).
    var kindType: any HubKind {
        get throws { try HubKinds.named(kind) }
    }
}
