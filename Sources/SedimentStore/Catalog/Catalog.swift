import Foundation

/// The catalog: every package, visit, commit, manifest and snapshot Sediment knows, in a
/// database: SQLite in one file (WAL) on one machine, or PostgreSQL shared by several workers.
/// Tables are documented in `docs/schema.md`; the statements are written once, for both.
///
/// A visit's rows are written in one transaction (``record(_:)``), after the blobs and
/// manifests they point at are durable in the blob store.
public final class Catalog: Sendable {
    /// The database behind the catalog.
    public let database: any SQLDatabase

    /// Where the catalog is, for messages: a file's path, or a server's URL without its password.
    public var path: String { database.location }

    /// The catalog in `database` (opened and migrated by its backend).
    public init(database: any SQLDatabase) {
        self.database = database
    }

    /// Opens (creating and migrating when needed) the SQLite catalog at `path`.
    public convenience init(path: String) throws {
        self.init(database: try SQLiteDatabase(path: path))
    }

    /// Opens the SQLite catalog at `path` read-only; fails when it does not exist.
    public convenience init(readOnlyPath path: String) throws {
        self.init(database: try SQLiteDatabase(readOnlyPath: path))
    }

    /// Whether the catalog lacks migrations this version knows (it was written by an older one).
    public func needsUpgrade() throws -> Bool {
        try database.needsUpgrade()
    }

    var dialect: SQLDialect { database.dialect }

    func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try database.read(body)
    }

    func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try database.write(body)
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
