import Foundation
import SedimentStore

/// Where the archive's store lives, as `[storage] store` or `rebuild --store` name it: a local
/// folder (the default: `<storage>/blobs`) or an S3-compatible bucket (`s3://BUCKET/PREFIX`).
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case local(path: String)

    /// Reads a location as the user wrote it; a relative path is taken from the current folder.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw ArchiveError.storage(path: text, problem: "an empty store location") }
        if trimmed.lowercased().hasPrefix("file://") {
            self = .local(path: String(trimmed.dropFirst("file://".count)))
        } else {
            let url = URL(fileURLWithPath: trimmed, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            self = .local(path: url.standardizedFileURL.path)
        }
    }

    public var description: String {
        switch self {
        case .local(let path): return path
        }
    }
}

extension Archive {
    /// Opens the store at `location`, indexed by `index` (a catalog), with the pack settings of
    /// `configuration`.
    public static func openStore(_ location: StoreLocation, index: any PackIndex, configuration: Configuration) throws -> any BlobStore {
        switch location {
        case .local(let path):
            return try PackStore(root: URL(fileURLWithPath: path), index: index, options: configuration.storage.packOptions)
        }
    }
}
