import Foundation
import SedimentPostgres
import SedimentRedaction
import SedimentStore

/// Where the catalog lives, as `[catalog] url` or `catalog copy --from/--to` name it: an SQLite
/// file (the default: `<storage>/catalog.sqlite`) or a PostgreSQL database shared by workers.
public enum CatalogLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresSettings)

    /// Reads a location as the user wrote it: `sqlite:PATH` (or a plain path) or
    /// `postgresql://USER@HOST:PORT/DB?sslmode=…`. A relative path stays relative (``resolved(against:)``).
    public init(parsing text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw CatalogLocationError(location: text, problem: "an empty catalog location") }
        let lowered = trimmed.lowercased()
        if lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://") {
            do {
                self = .postgres(try PostgresSettings(url: trimmed, environment: environment))
            } catch {
                throw CatalogLocationError(location: Redaction.url(trimmed), problem: "\(error)")
            }
        } else if lowered.hasPrefix("sqlite:") {
            var path = String(trimmed.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else { throw CatalogLocationError(location: trimmed, problem: "expected sqlite:PATH, with the file's path") }
            self = .sqlite(path: path)
        } else if let colon = trimmed.firstIndex(of: ":"), trimmed[colon...].hasPrefix("://") {
            throw CatalogLocationError(location: trimmed, problem: "unknown kind of catalog \"\(trimmed[..<colon])://\"; "
                                       + "a catalog is sqlite:PATH or postgresql://USER@HOST:PORT/DATABASE")
        } else {
            self = .sqlite(path: trimmed)
        }
    }

    /// This location with a relative path taken from `folder`.
    public func resolved(against folder: String) -> CatalogLocation {
        switch self {
        case .sqlite(let path) where !path.hasPrefix("/"):
            return .sqlite(path: URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: folder)).standardizedFileURL.path)
        default:
            return self
        }
    }

    /// Whether several processes (workers) may share the catalog.
    public var isShared: Bool {
        if case .postgres = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let settings): return settings.location
        }
    }

    /// Opens the catalog for writing: creates and migrates it when needed.
    public func open() throws -> Catalog {
        switch self {
        case .sqlite(let path): return try Catalog(path: path)
        case .postgres(let settings): return Catalog(database: try PostgreSQLDatabase(settings: settings))
        }
    }

    /// Opens an existing catalog for reading; fails when there is none.
    public func openForReading() throws -> Catalog {
        switch self {
        case .sqlite(let path): return try Catalog(readOnlyPath: path)
        case .postgres(let settings): return Catalog(database: try PostgreSQLDatabase(readOnlySettings: settings))
        }
    }
}

/// A catalog location that cannot be used.
public struct CatalogLocationError: Error, CustomStringConvertible {
    public var location: String
    public var problem: String

    public var description: String { "catalog \(location): \(problem)" }
}
