import Foundation

/// One value in or out of the catalog's database, whatever the backend.
public enum SQLValue: Sendable, Equatable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
}

/// A Swift value the catalog binds as an argument or reads from a column.
public protocol SQLValueConvertible {
    var sqlValue: SQLValue { get }
    /// The value a column holds, or nil when it is of another kind (or null).
    static func from(_ value: SQLValue) -> Self?
}

extension Int64: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(self) }
    public static func from(_ value: SQLValue) -> Int64? {
        switch value {
        case .integer(let n): return n
        case .real(let d): return Int64(exactly: d)
        case .text(let s): return Int64(s)
        default: return nil
        }
    }
}

extension Int: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    public static func from(_ value: SQLValue) -> Int? { Int64.from(value).map(Int.init) }
}

extension Int32: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    public static func from(_ value: SQLValue) -> Int32? { Int64.from(value).flatMap(Int32.init(exactly:)) }
}

extension Bool: SQLValueConvertible {
    /// Booleans are integers 0 and 1 in both backends' tables.
    public var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    public static func from(_ value: SQLValue) -> Bool? { Int64.from(value).map { $0 != 0 } }
}

extension Double: SQLValueConvertible {
    public var sqlValue: SQLValue { .real(self) }
    public static func from(_ value: SQLValue) -> Double? {
        switch value {
        case .real(let d): return d
        case .integer(let n): return Double(n)
        case .text(let s): return Double(s)
        default: return nil
        }
    }
}

extension String: SQLValueConvertible {
    public var sqlValue: SQLValue { .text(self) }
    public static func from(_ value: SQLValue) -> String? {
        switch value {
        case .text(let s): return s
        case .integer(let n): return String(n)
        case .real(let d): return String(d)
        case .blob(let data): return String(data: data, encoding: .utf8)
        case .null: return nil
        }
    }
}

extension Data: SQLValueConvertible {
    public var sqlValue: SQLValue { .blob(self) }
    public static func from(_ value: SQLValue) -> Data? {
        switch value {
        case .blob(let data): return data
        case .text(let s): return Data(s.utf8)
        default: return nil
        }
    }
}

extension SQLValue: SQLValueConvertible {
    public var sqlValue: SQLValue { self }
    public static func from(_ value: SQLValue) -> SQLValue? { value }
}

/// The arguments of a statement, in the order of its `?` marks.
public struct SQLArguments: ExpressibleByArrayLiteral, Sendable {
    public var values: [SQLValue]

    public init(arrayLiteral elements: (any SQLValueConvertible)?...) {
        values = elements.map { $0?.sqlValue ?? .null }
    }

    public init<S: Sequence>(_ elements: S) where S.Element: SQLValueConvertible {
        values = elements.map(\.sqlValue)
    }

    public init(values: [SQLValue]) {
        self.values = values
    }

    public static func + (lhs: SQLArguments, rhs: SQLArguments) -> SQLArguments {
        SQLArguments(values: lhs.values + rhs.values)
    }
}

/// One row of a result: its values by column name.
public struct SQLRow: Sendable {
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public func value(_ column: String) -> SQLValue {
        guard let index = columns.firstIndex(of: column) else {
            preconditionFailure("no column \(column) in the result (\(columns.joined(separator: ", ")))")
        }
        return values[index]
    }

    /// The column's value; a null or a value of another kind is a programming error.
    public subscript<T: SQLValueConvertible>(_ column: String) -> T {
        let value = value(column)
        guard let converted = T.from(value) else { preconditionFailure("column \(column): \(value) is not a \(T.self)") }
        return converted
    }

    /// The column's value, nil when null.
    public subscript<T: SQLValueConvertible>(_ column: String) -> T? {
        let value = value(column)
        if value == .null { return nil }
        return T.from(value)
    }

    /// The value of column `index` (from 0); a null or a value of another kind is a programming error.
    public subscript<T: SQLValueConvertible>(_ index: Int) -> T {
        guard let converted = T.from(values[index]) else { preconditionFailure("column \(index): \(values[index]) is not a \(T.self)") }
        return converted
    }

    /// The value of column `index` (from 0), nil when null.
    public subscript<T: SQLValueConvertible>(_ index: Int) -> T? {
        values[index] == .null ? nil : T.from(values[index])
    }

    /// The value of the first column.
    public func first<T: SQLValueConvertible>(_ type: T.Type = T.self) -> T? {
        values.first.flatMap { $0 == .null ? nil : T.from($0) }
    }
}

/// Which SQL a backend speaks, where the catalog's statements differ.
public enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// The greater of two values (not the aggregate).
    public func greatest(_ a: String, _ b: String) -> String {
        self == .sqlite ? "MAX(\(a), \(b))" : "GREATEST(\(a), \(b))"
    }

    /// The lesser of two values (not the aggregate).
    public func least(_ a: String, _ b: String) -> String {
        self == .sqlite ? "MIN(\(a), \(b))" : "LEAST(\(a), \(b))"
    }

    /// The aggregate joining `expression` with `separator`, in `orderBy` order when given.
    public func groupConcat(_ expression: String, separator: String, distinct: Bool = false, orderBy: String? = nil) -> String {
        let quoted = "'" + separator.replacingOccurrences(of: "'", with: "''") + "'"
        switch self {
        case .sqlite:
            // SQLite's group_concat takes no ORDER BY before 3.44; callers order a subquery instead.
            return distinct ? "group_concat(DISTINCT \(expression))" : "group_concat(\(expression), \(quoted))"
        case .postgres:
            let order = orderBy.map { " ORDER BY \($0)" } ?? ""
            return "string_agg(\(distinct ? "DISTINCT " : "")(\(expression))::text, \(quoted)\(order))"
        }
    }

    /// A table expression named `x` with one column `value`: the strings of the JSON array at
    /// key `key` of the JSON object in text column `column` (no rows when it is null or has no such key).
    public func jsonStrings(_ column: String, key: String) -> String {
        switch self {
        case .sqlite: return "json_each(\(column), '$.\(key)') AS x"
        case .postgres: return "jsonb_array_elements_text(COALESCE((\(column))::jsonb -> '\(key)', '[]'::jsonb)) AS x(value)"
        }
    }
}

/// A connection inside a read or a transaction: what the catalog's statements run on.
public protocol SQLConnection: AnyObject {
    var dialect: SQLDialect { get }
    /// Runs one statement (no result rows).
    func execute(sql: String, arguments: SQLArguments) throws
    /// Runs one query and calls `body` with each row, in order, without holding them all.
    func each(sql: String, arguments: SQLArguments, _ body: (SQLRow) throws -> Void) throws
}

extension SQLConnection {
    public func execute(sql: String) throws {
        try execute(sql: sql, arguments: [])
    }

    /// Every row of a query.
    public func rows(sql: String, arguments: SQLArguments = []) throws -> [SQLRow] {
        var rows: [SQLRow] = []
        try each(sql: sql, arguments: arguments) { rows.append($0) }
        return rows
    }

    /// The first row of a query, if any.
    public func row(sql: String, arguments: SQLArguments = []) throws -> SQLRow? {
        try rows(sql: sql, arguments: arguments).first
    }

    /// The first column of the first row, nil when there is no row or it is null.
    public func value<T: SQLValueConvertible>(_ type: T.Type = T.self, sql: String, arguments: SQLArguments = []) throws -> T? {
        try row(sql: sql, arguments: arguments)?.first(T.self)
    }

    /// The first column of every row (nulls skipped).
    public func values<T: SQLValueConvertible>(_ type: T.Type = T.self, sql: String, arguments: SQLArguments = []) throws -> [T] {
        try rows(sql: sql, arguments: arguments).compactMap { $0.first(T.self) }
    }

    /// A statement to run several times (each backend keeps it prepared where it can).
    public func statement(sql: String) -> SQLStatement {
        SQLStatement(connection: self, sql: sql)
    }

    /// Inserts `rows` (each one value per column) into `table`, then `suffix` (an ON CONFLICT
    /// clause): on PostgreSQL several rows per statement (one round trip for up to 500), on
    /// SQLite one prepared statement run per row (its cost is no round trip, and one text
    /// per row count would fill its statement cache).
    public func insertRows(into table: String, columns: [String], _ rows: [[SQLValue]], suffix: String = "") throws {
        guard !rows.isEmpty else { return }
        let names = columns.joined(separator: ", ")
        let marks = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        if dialect == .sqlite {
            let statement = statement(sql: "INSERT INTO \(table)(\(names)) VALUES \(marks) \(suffix)")
            for row in rows { try statement.execute(arguments: SQLArguments(values: row)) }
            return
        }
        let perStatement = max(1, min(500, 30_000 / max(columns.count, 1)))
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + perStatement)]
            try execute(sql: "INSERT INTO \(table)(\(names)) VALUES " + Array(repeating: marks, count: chunk.count).joined(separator: ", ") + " " + suffix,
                        arguments: SQLArguments(values: chunk.flatMap { $0 }))
            start += perStatement
        }
    }

    /// Runs an INSERT into a table whose key is column `id` and returns the new row's `id`.
    public func insert(sql: String, arguments: SQLArguments) throws -> Int64 {
        guard let id = try value(Int64.self, sql: sql + " RETURNING id", arguments: arguments) else {
            throw SQLDatabaseError(message: "an insert returned no row id")
        }
        return id
    }
}

/// A catalog database: SQLite in a file, or a PostgreSQL server.
public protocol SQLDatabase: Sendable {
    var dialect: SQLDialect { get }
    /// Where the database is, for messages (a path, or a URL without its password).
    var location: String { get }
    /// Runs `body` on a consistent view of the database.
    func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T
    /// Runs `body` in one transaction, committed when it returns and rolled back when it throws.
    func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T
    /// Runs a single statement's read outside a transaction where the backend allows it
    /// (cheaper; the statement alone is consistent).
    func readOne<T>(_ body: (any SQLConnection) throws -> T) throws -> T
    /// Whether the database lacks migrations this version knows.
    func needsUpgrade() throws -> Bool
    /// Closes the connections; later calls fail.
    func close()
}

/// An error of the database itself (not of the catalog's use of it).
public struct SQLDatabaseError: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// Whether running the transaction again may succeed (a deadlock, a serialization failure,
    /// a lost connection).
    public var transient: Bool

    public init(message: String, transient: Bool = false) {
        self.message = message
        self.transient = transient
    }

    public var description: String { message }
}

/// A statement run several times on one connection.
public struct SQLStatement {
    let connection: any SQLConnection
    public let sql: String

    public func execute(arguments: SQLArguments) throws {
        try connection.execute(sql: sql, arguments: arguments)
    }

    public func row(arguments: SQLArguments) throws -> SQLRow? {
        try connection.row(sql: sql, arguments: arguments)
    }

    public func value<T: SQLValueConvertible>(_ type: T.Type = T.self, arguments: SQLArguments) throws -> T? {
        try connection.value(T.self, sql: sql, arguments: arguments)
    }
}
