import Foundation
import GRDB

/// The embedded catalog: one SQLite file in WAL mode, through GRDB. Writes are serialised
/// by GRDB's pool (one writer); readers run concurrently.
public final class SQLiteDatabase: SQLDatabase {
    let pool: DatabasePool
    public let path: String
    public var dialect: SQLDialect { .sqlite }
    public var location: String { path }

    /// Opens (creating and migrating when needed) the database at `path`.
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

    /// Opens the database read-only; fails when it does not exist.
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

    public func needsUpgrade() throws -> Bool {
        try translating { try pool.read { db in try !CatalogSchema.migrator.hasCompletedMigrations(db) } }
    }

    public func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try translating { try pool.read { db in try body(SQLiteConnection(db)) } }
    }

    public func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try translating { try pool.write { db in try body(SQLiteConnection(db)) } }
    }

    public func readOne<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try translating { try pool.unsafeRead { db in try body(SQLiteConnection(db)) } }
    }

    public func close() {
        try? pool.close()
    }

    private func translating<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            let busy = error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
            throw SQLDatabaseError(message: "catalog \(path): \(error.message ?? error.description)", transient: busy)
        }
    }
}

/// A GRDB connection seen through ``SQLConnection``; statements are compiled once per
/// connection and reused.
final class SQLiteConnection: SQLConnection {
    let db: Database
    var dialect: SQLDialect { .sqlite }

    init(_ db: Database) {
        self.db = db
    }

    func execute(sql: String, arguments: SQLArguments) throws {
        if arguments.values.isEmpty, sql.contains(";") {
            try db.execute(sql: sql)
            return
        }
        try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
    }

    func each(sql: String, arguments: SQLArguments, _ body: (SQLRow) throws -> Void) throws {
        let statement = try db.cachedStatement(sql: sql)
        let columns = statement.columnNames
        let cursor = try GRDB.Row.fetchCursor(statement, arguments: Self.arguments(arguments))
        while let row = try cursor.next() {
            try body(SQLRow(columns: columns, values: row.databaseValues.map(Self.value)))
        }
    }

    static func arguments(_ arguments: SQLArguments) -> StatementArguments {
        StatementArguments(arguments.values.map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case .null: return nil
            case .integer(let n): return n
            case .real(let d): return d
            case .text(let s): return s
            case .blob(let data): return data
            }
        })
    }

    static func value(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: return .null
        case .int64(let n): return .integer(n)
        case .double(let d): return .real(d)
        case .string(let s): return .text(s)
        case .blob(let data): return .blob(data)
        }
    }
}
