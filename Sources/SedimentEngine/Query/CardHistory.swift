import Foundation
import SedimentGit
import SedimentMetadata
import SedimentStore

/// One version of a package's model card: the commit that made it, read from the mirror.
public struct CardRevision: Sendable {
    public var commit: CommitRecord
    /// `added`, `modified` or `removed`.
    public var change: String
    /// The card's size in bytes; nil once removed.
    public var bytes: Int?
    /// `ok`, `unparseable` (its front matter could not be read: ``problem`` says why) or
    /// `absent` (removed).
    public var state: String
    public var problem: String?
    public var license: String?
    /// The licence of the card version before, when there was one and it was readable.
    public var previousLicense: String?
    /// Whether this version's licence differs from the readable version before it (a first
    /// version, or one after an unreadable one, is no change: the licence before is unknown).
    public var licenseChanged: Bool
    /// The front matter's fields, sorted.
    public var fields: [String]
    /// The Markdown headings after the front matter.
    public var sections: [String]
    public var baseModels: [String]
}

/// The versions of a package's model card along the first-parent history of a revision, as
/// `git log --first-parent -- README.md` would list them, oldest first: each commit that added,
/// changed or removed the card, with what that version says. The licence of each version is
/// keyed to the commit that wrote it, not to when Sediment observed it.
public struct CardHistory {
    public let archive: Archive
    public let package: PackageRecord
    public let limits: ObservationExtractor.Limits

    public init(archive: Archive, package: PackageRecord, limits: ObservationExtractor.Limits) {
        self.archive = archive
        self.package = package
        self.limits = limits
    }

    /// The card's repository path: the scope's card, or `README.md` in the package's folder.
    public var cardPath: String {
        package.scope.cardPath ?? (package.subpath.isEmpty ? "README.md" : package.subpath + "/README.md")
    }

    public func revisions(from head: String) throws -> [CardRevision] {
        guard let mirror = package.mirrorPath, let repositoryRow = package.repositoryRowID else { return [] }
        let repository = try Repository.open(at: archive.mirrorFolder(mirror))
        let commits = Dictionary(try archive.catalog.commits(repository: repositoryRow).map { ($0.id, $0) },
                                 uniquingKeysWith: { a, _ in a })
        var chain: [CommitRecord] = []
        var next: String? = head
        var seen = Set<String>()
        while let id = next, seen.insert(id).inserted, let commit = commits[id] {
            chain.append(commit)
            next = commit.parents.first
        }
        var result: [CardRevision] = []
        var previousID: ObjectID?
        var lastReadable: (license: String?, seen: Bool) = (nil, false)
        for commit in chain.reversed() {
            guard let id = ObjectID(hex: commit.id) else { continue }
            let blob = try repository.entryID(cardPath, at: id)
            guard blob != previousID else { continue }
            defer { previousID = blob }
            guard let blob else {
                result.append(CardRevision(commit: commit, change: "removed", state: "absent", previousLicense: lastReadable.license,
                                           licenseChanged: lastReadable.seen && lastReadable.license != nil,
                                           fields: [], sections: [], baseModels: []))
                lastReadable = (nil, true)
                continue
            }
            let data = try repository.withBlob(blob) { Data($0) }
            let change = previousID == nil ? "added" : "modified"
            if let pointer = LFSPointer.parse(data) {
                // The card's text is in LFS, not in git: this version is unknown, as at an observation.
                result.append(CardRevision(commit: commit, change: change, bytes: Int(pointer.size), state: "unparseable",
                                           problem: "the card is an LFS object (\(pointer.size) bytes), not read", licenseChanged: false,
                                           fields: [], sections: [], baseModels: []))
                continue
            }
            let card = ModelCard(data, yamlLimits: limits.yaml)
            var revision = CardRevision(commit: commit, change: change, bytes: card.bytes,
                                        state: card.problem == nil ? "ok" : "unparseable", problem: card.problem,
                                        licenseChanged: false, fields: (card.fields ?? [:]).keys.sorted(), sections: card.sections,
                                        baseModels: [])
            if let fields = card.fields, card.problem == nil {
                revision.license = fields["license"].flatMap(ObservationExtractor.text)
                if case .array(let items)? = fields["base_model"] {
                    revision.baseModels = items.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
                } else if case .string(let base)? = fields["base_model"] {
                    revision.baseModels = [base]
                }
                revision.previousLicense = lastReadable.license
                revision.licenseChanged = lastReadable.seen && lastReadable.license != revision.license
                lastReadable = (revision.license, true)
            }
            result.append(revision)
        }
        return result
    }
}
