import Foundation

/// The time-series row of one package at one visit: what the hub reported and what its
/// files say. Written with the visit; documented in `docs/schema.md` (`observation`).
public struct ObservationRecord: Sendable, Equatable {
    /// The hub's numeric metrics an observation keeps (``hubMetrics``): they change between
    /// visits while nothing else does, so the hub's metadata is compared without them.
    public static let metricKeys: Set<String> = ["downloads", "likes", "stars", "downloadsAllTime", "trendingScore"]

    public var downloads: Int64?
    public var likes: Int64?
    /// Numeric hub metrics (downloads, likes, stars, …) as a JSON object.
    public var hubMetrics: String?
    public var commitsTotal: Int = 0
    public var commitsNew: Int = 0
    public var files: Int = 0
    public var bytes: Int64 = 0
    public var lfsFiles: Int = 0
    public var lfsBytes: Int64 = 0
    /// Files and bytes per weight format, as a JSON object `{format: {files, bytes}}`.
    public var weightFormats: String?
    public var cardLicense: String?
    /// JSON arrays.
    public var cardTags: String?
    public var cardDatasets: String?
    public var cardLanguage: String?
    public var cardBaseModel: String?
    public var cardPipelineTag: String?
    public var cardLibraryName: String?
    public var cardHasModelIndex: Bool?
    public var cardBytes: Int64?
    public var cardHasBody: Bool?
    /// Every front-matter field, as a JSON object.
    public var cardFields: String?
    public var configArchitectures: String?
    public var configModelType: String?
    public var configTorchDtype: String?
    public var configTransformersVersion: String?
    public var configFields: String?
    /// What could not be read (a malformed card or config), as a JSON object `{field: why}`.
    public var problems: String?
    /// Whether the card (`README.md`) was read: absent, read, or present but unreadable.
    public var cardState: ParseState?
    /// Why the card could not be read, when ``cardState`` is `unparseable`.
    public var cardProblem: String?
    /// Whether `config.json` was read: absent, read, or present but unreadable.
    public var configState: ParseState?
    /// Why `config.json` could not be read, when ``configState`` is `unparseable`.
    public var configProblem: String?

    public init() {}
}

/// Whether a structured file of a package (its card, its `config.json`) could be read at an
/// observation. `unparseable` is not `absent`: its fields are unknown, not empty, so the
/// time-series views and `diff` report no change into or out of it.
public enum ParseState: String, Sendable, Equatable, CaseIterable {
    /// The file was read (a card without front matter is read, with no fields).
    case ok
    /// The package has no such file.
    case absent
    /// The file is there but could not be read (invalid YAML or JSON, not UTF-8, over a
    /// size limit, not stored); the reason is recorded beside the state.
    case unparseable
}
