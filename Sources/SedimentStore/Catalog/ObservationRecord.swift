import Foundation

/// The time-series row of one package at one visit: what the hub reported and what its
/// files say. Written with the visit; documented in `docs/schema.md` (`observation`).
public struct ObservationRecord: Sendable, Equatable {
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

    public init() {}
}
