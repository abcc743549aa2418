import Foundation

/// The visit record kept in the store (`records/visits/…json`, docs/format.md): what one
/// visit taught the catalog, named by stable identities (hub, package id, repository URL,
/// mirror folder, crawl start), never by the catalog's row ids, so that `sediment rebuild`
/// can replay it into a new catalog through ``Catalog/record(_:)``.
public struct StoredVisit: Codable, Sendable {
    /// The record format's version (``StoredRecords/format``).
    public var format: Int
    /// `visit`.
    public var kind: String
    /// The package's row when the visit was recorded.
    public var package: PackageState
    public var crawl: CrawlKey?
    public var startedAt: String
    public var finishedAt: String
    /// `full`, `partial`, `failed` or `not-found`.
    public var status: String
    public var eventful: Bool
    /// The error, as the catalog keeps it (already without secrets).
    public var error: String?
    public var objectsReceived: Int
    public var bytesReceived: Int
    public var skippedGit: Bool
    /// What the hub said about the package (canonical JSON text), verbatim.
    public var metadata: String?
    /// Present when the visit concerned the package's repository.
    public var repository: Repository?
    public var commits: [Commit]
    public var blobs: [Blob]
    public var manifests: [Manifest]
    /// The blob store's packs this visit wrote (their ids).
    public var blobPacks: [String]
    public var snapshot: Snapshot?
    public var observation: Observation?

    public struct Ref: Codable, Equatable, Sendable {
        public var name: String
        public var target: String

        public init(name: String, target: String) {
            self.name = name
            self.target = target
        }
    }

    public struct Repository: Codable, Sendable {
        public var url: String
        public var mirrorPath: String
        public var defaultBranch: String?
        /// The repository's refs after the visit; nil leaves them as they were.
        public var refs: [Ref]?
        public var lostRefs: [LostRefEntry]
        /// The git packs holding the visit's new git objects (`git/<mirror key>/<name>.pack`).
        public var gitPacks: [String]

        public init(url: String, mirrorPath: String, defaultBranch: String?, refs: [Ref]?, lostRefs: [LostRefEntry], gitPacks: [String]) {
            self.url = url
            self.mirrorPath = mirrorPath
            self.defaultBranch = defaultBranch
            self.refs = refs
            self.lostRefs = lostRefs
            self.gitPacks = gitPacks
        }
    }

    public struct LostRefEntry: Codable, Sendable {
        public var name: String
        public var archivedAs: String
        public var target: String
        public var replacedBy: String?
        public var reason: String
        public var lostAt: String
    }

    public struct Commit: Codable, Sendable {
        public var id: String
        public var tree: String
        public var parents: [String]
        public var authorName: String
        public var authorEmail: String
        public var authorTime: Int64
        public var authorOffset: Int
        public var committerName: String
        public var committerEmail: String
        public var committerTime: Int64
        public var committerOffset: Int
        public var message: String
        public var changes: [Change]
    }

    public struct Change: Codable, Sendable {
        public var status: String
        public var oldPath: String?
        public var newPath: String?
        public var oldBlob: String?
        public var newBlob: String?
        public var oldMode: Int?
        public var newMode: Int?
    }

    public struct Blob: Codable, Sendable {
        public var gitBlob: String
        public var sha256: String
        public var size: Int64
        public var stored: Bool
        public var lfsOid: String?
        public var lfsSize: Int64?
    }

    public struct Manifest: Codable, Sendable {
        public var id: String
        public var commit: String
        public var subpath: String
        public var files: Int
        public var bytes: Int64
        public var lfsFiles: Int
        public var lfsBytes: Int64
    }

    public struct Snapshot: Codable, Sendable {
        public var id: String
        public var takenAt: String
        public var head: String?
        public var headRef: String?
        public var manifest: String?
        public var refs: [Ref]
    }

    /// The observation's columns (docs/schema.md, `observation`); JSON-valued ones as text.
    public struct Observation: Codable, Sendable {
        public var downloads: Int64?
        public var likes: Int64?
        public var hubMetrics: String?
        public var commitsTotal: Int
        public var commitsNew: Int
        public var files: Int
        public var bytes: Int64
        public var lfsFiles: Int
        public var lfsBytes: Int64
        public var weightFormats: String?
        public var cardLicense: String?
        public var cardTags: String?
        public var cardDatasets: String?
        public var cardLanguage: String?
        public var cardBaseModel: String?
        public var cardPipelineTag: String?
        public var cardLibraryName: String?
        public var cardHasModelIndex: Bool?
        public var cardBytes: Int64?
        public var cardHasBody: Bool?
        public var cardFields: String?
        public var configArchitectures: String?
        public var configModelType: String?
        public var configTorchDtype: String?
        public var configTransformersVersion: String?
        public var configFields: String?
        public var problems: String?
        public var cardState: String?
        public var cardProblem: String?
        public var configState: String?
        public var configProblem: String?
    }
}

/// A crawl's record (`records/crawls/…json`): its listing when it began (the packages the
/// hub listed, as the catalog then held them, and the entries it skipped), or how it ended.
public struct StoredCrawl: Codable, Sendable {
    public var format: Int
    /// `listing` or `end`.
    public var kind: String
    public var crawl: CrawlKey
    public var hubKind: String
    /// With `listing`: the packages listed or found no longer listed, after the listing.
    public var packages: [PackageState]?
    /// With `listing`: hub entries the crawl skipped, and why.
    public var problems: [Problem]?
    /// With `end`.
    public var end: CrawlEnd?

    public struct Problem: Codable, Sendable {
        public var item: String
        public var problem: String

        public init(item: String, problem: String) {
            self.item = item
            self.problem = problem
        }
    }

    public init(kind: String, crawl: CrawlKey, hubKind: String) {
        format = StoredRecords.format
        self.kind = kind
        self.crawl = crawl
        self.hubKind = hubKind
    }
}

/// An index repository's record (`records/indexes/…json`): the index of an index hub
/// (`pytorch-hub`, `modelhub`) fetched for a listing, with its refs after the fetch and the
/// git pack of what the fetch brought.
public struct StoredIndex: Codable, Sendable {
    public var format: Int
    /// `index`.
    public var kind: String
    public var hub: String
    public var hubKind: String
    /// Its refs are every ref of the mirror after the fetch; `default_branch` the branch read.
    public var repository: StoredVisit.Repository

    public init(hub: String, hubKind: String, repository: StoredVisit.Repository) {
        format = StoredRecords.format
        kind = "index"
        self.hub = hub
        self.hubKind = hubKind
        self.repository = repository
    }
}

/// The records the store keeps beside its blobs, and their encoding.
public enum StoredRecords {
    /// The newest record format this version reads and writes.
    public static let format = 1
    public static let visits = "records/visits/"
    public static let crawls = "records/crawls/"
    public static let indexes = "records/indexes/"
    /// Git packs of a mirror: `git/<mirror key>/<pack name>.pack`.
    public static let git = "git/"

    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(value)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: data)
    }

    /// The mirror key of a repository: the first 32 hex digits of the SHA-256 of its URL
    /// (as the catalog keeps it, redacted).
    public static func mirrorKey(repository url: String) -> String {
        String(ContentID.of(Data(url.utf8)).hex.prefix(32))
    }

    /// The format a record says it has, read before the rest (0 when it says none).
    public static func formatOf(_ data: Data) -> Int? {
        struct Head: Decodable { var format: Int? }
        return (try? JSONDecoder().decode(Head.self, from: data)).map { $0.format ?? 0 }
    }
}
