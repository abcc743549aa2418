import Foundation
import SedimentS3
import SedimentStore

/// Where the archive's store lives, as `[storage] store` or `rebuild --store` name it: a local
/// folder (the default: `<storage>/blobs`) or an S3-compatible bucket (`s3://BUCKET/PREFIX`).
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case local(path: String)
    case s3(S3Location)

    /// Reads a location as the user wrote it; a relative path stays relative (``resolved(against:)``).
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw ArchiveError.storage(path: text, problem: "an empty store location") }
        if trimmed.lowercased().hasPrefix("s3://") {
            self = .s3(try S3Location(parsing: trimmed))
        } else if trimmed.lowercased().hasPrefix("file://") {
            self = .local(path: String(trimmed.dropFirst("file://".count)))
        } else if let colon = trimmed.firstIndex(of: ":"), trimmed[colon...].hasPrefix("://") {
            throw ArchiveError.storage(path: trimmed, problem: "unknown kind of store \"\(trimmed[..<colon])://\"; a store is a folder or s3://BUCKET/PREFIX")
        } else {
            self = .local(path: trimmed)
        }
    }

    /// This location with a relative folder taken from `folder`.
    public func resolved(against folder: String) -> StoreLocation {
        switch self {
        case .local(let path) where !path.hasPrefix("/"):
            return .local(path: URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: folder)).standardizedFileURL.path)
        default:
            return self
        }
    }

    /// Whether workers on several machines reach the same store (a bucket).
    public var isShared: Bool {
        if case .s3 = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .local(let path): return path
        case .s3(let location): return location.description
        }
    }
}

extension Archive {
    /// Opens the store at `location`, indexed by `index` (a catalog), with the pack settings of
    /// `configuration`. A bucket's endpoint, region and credentials come from `configuration`
    /// and `environment` as ``S3Settings/resolve(location:endpoint:region:environment:)`` says;
    /// its packs are built, and its LFS downloads kept until complete, in the storage folder's
    /// `blobs` folder.
    public static func openStore(_ location: StoreLocation, index: any PackIndex, configuration: Configuration,
                                 environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any BlobStore {
        switch location {
        case .local(let path):
            return try PackStore(root: URL(fileURLWithPath: path), index: index, options: configuration.storage.packOptions)
        case .s3(let bucket):
            do {
                let settings = try S3Settings.resolve(location: bucket, endpoint: configuration.storage.endpoint,
                                                      region: configuration.storage.region, environment: environment)
                var store = try S3BlobStore(settings: settings, index: index, work: URL(fileURLWithPath: configuration.blobsPath),
                                            options: configuration.storage.packOptions)
                // Workers of a fleet share the bucket: an upload in progress may be another's.
                store.otherWriters = configuration.catalogLocation.isShared
                return store
            } catch let error as ArchiveError {
                throw error
            } catch {
                throw ArchiveError.storage(path: bucket.description, problem: "\(error)")
            }
        }
    }
}
