import Foundation
import GRDB

/// The catalog: a SQLite database (WAL) holding every package, visit, commit, manifest and
/// snapshot Sediment knows. Tables are documented in `docs/schema.md`.
///
/// One `Catalog` per process. Writes are serialised by GRDB's pool (one writer); readers run
/// concurrently. A visit's rows are written in one transaction (``record(_:)``), after the
/// blobs and manifests they point at are durable in the blob store.
public final class Catalog: Sendable {
    let pool: DatabasePool
    /// The database file.
    public let path: String

    /// Opens (creating and migrating when needed) the catalog at `path`.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try CatalogSchema.migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw CatalogError.database(path: path, message: error.message ?? error.description)
        }
    }

    /// Opens the catalog read-only; fails when it does not exist.
    public init(readOnlyPath path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else { throw CatalogError.missing(path: path) }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(30)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch let error as DatabaseError {
            throw CatalogError.database(path: path, message: error.message ?? error.description)
        }
    }

    /// Whether the catalog lacks migrations this version knows (it was written by an older one).
    public func needsUpgrade() throws -> Bool {
        try pool.read { db in try !CatalogSchema.migrator.hasCompletedMigrations(db) }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.write(body)
    }

    /// The current instant in the catalog's text form: ISO 8601, UTC, milliseconds.
    public static func timestamp(_ date: Date) -> String {
        timestampFormatter().string(from: date)
    }

    /// Parses a catalog timestamp back into a date.
    public static func date(_ timestamp: String) -> Date? {
        timestampFormatter().date(from: timestamp)
    }

    private static func timestampFormatter() -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter
    }
}

/// Errors opening or querying the catalog.
public enum CatalogError: Error, CustomStringConvertible {
    case missing(path: String)
    case database(path: String, message: String)
    case unknownPackage(String)
    case ambiguousPackage(String, candidates: [String])
    case unknownRevision(package: String, revision: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let path): return "no catalog at \(path) (run `sediment sync` first)"
        case .database(let path, let message): return "catalog \(path): \(message)"
        case .unknownPackage(let name): return "unknown package \(name)"
        case .ambiguousPackage(let name, let candidates):
            return "package \(name) is ambiguous; say one of: \(candidates.joined(separator: ", "))"
        case .unknownRevision(let package, let revision, let reason): return "\(package): revision \(revision): \(reason)"
        }
    }
}
