import Foundation
import Logging
import NIOCore
import PostgresNIO
import SedimentStore

/// One PostgresNIO connection seen through ``SQLConnection``, used by one caller thread at a
/// time (the pool hands it out). Every call waits on its future from the caller's thread.
final class PostgresSQLConnection: SQLConnection {
    let connection: PostgresConnection
    let location: String
    let logger: Logger
    var dialect: SQLDialect { .postgres }
    /// The last statement failure on this connection: write reads it to know whether the
    /// transaction may be run again, and the pool whether the connection is still usable.
    var lastFailure: PostgresFailure?

    init(_ connection: PostgresConnection, location: String, logger: Logger) {
        self.connection = connection
        self.location = location
        self.logger = logger
    }

    /// Whether the connection should go back to the pool.
    var usable: Bool {
        !connection.isClosed && !(lastFailure?.connectionLost ?? false)
    }

    /// Starts closing the connection.
    func closeSoon() {
        let _: EventLoopFuture<Void> = connection.close()
    }

    func closeAndWait() {
        let closed: EventLoopFuture<Void> = connection.close()
        _ = try? closed.wait()
    }

    func execute(sql: String, arguments: SQLArguments) throws {
        if arguments.values.isEmpty {
            // A script (migrations, DDL): PostgreSQL's extended protocol takes one statement at a time.
            for statement in PostgresSQLText.statements(sql) {
                try run(PostgresQuery(unsafeSQL: statement))
            }
            return
        }
        try run(query(sql, arguments))
    }

    func each(sql: String, arguments: SQLArguments, _ body: (SQLRow) throws -> Void) throws {
        let query = try self.query(sql, arguments)
        let stream = RowStream()
        let future = connection.query(query, logger: logger) { row in
            try stream.push(row)
        }
        future.whenComplete { result in stream.finish(result.map { _ in () }) }
        do {
            while let row = try stream.next() {
                try body(row)
            }
        } catch let failure as StreamFailure {
            let translated = PostgresFailure(failure.error)
            lastFailure = translated
            throw translated.error(location: location, statement: sql)
        } catch {
            // The body failed: stop the stream, and let the query end before the connection is reused.
            stream.cancel()
            _ = try? future.wait()
            throw error
        }
    }

    /// Runs a statement whose rows (if any) are not wanted.
    func run(_ query: PostgresQuery) throws {
        do {
            _ = try connection.query(query, logger: logger).wait()
        } catch {
            let failure = PostgresFailure(error)
            lastFailure = failure
            throw failure.error(location: location, statement: query.sql)
        }
    }

    /// The statement with `$n` marks and its bound arguments.
    func query(_ sql: String, _ arguments: SQLArguments) throws -> PostgresQuery {
        guard !arguments.values.isEmpty else { return PostgresQuery(unsafeSQL: sql) }
        let (numbered, count) = PostgresSQLText.numberingPlaceholders(sql)
        guard count == arguments.values.count else {
            throw SQLDatabaseError(message: "catalog \(location): the statement has \(count) ? marks and \(arguments.values.count) arguments: \(sql)")
        }
        var binds = PostgresBindings(capacity: count)
        for value in arguments.values {
            // Numbers and text go as text of no declared type, as literals would: the server
            // gives each the type its place in the statement wants (an integer where a
            // function takes one, the column's type in an INSERT), as SQLite does.
            switch value {
            case .null: binds.appendNull()
            case .integer(let n): try binds.append(UntypedText(String(n)))
            case .real(let d): try binds.append(UntypedText(d.isFinite ? "\(d)" : d.isNaN ? "NaN" : d > 0 ? "Infinity" : "-Infinity"))
            case .text(let s): try binds.append(UntypedText(s))
            case .blob(let data): binds.append(ByteBuffer(bytes: data))
            }
        }
        return PostgresQuery(unsafeSQL: numbered, binds: binds)
    }

    /// A row's values as the catalog reads them.
    static func row(_ row: PostgresRow) throws -> SQLRow {
        var columns: [String] = []
        var values: [SQLValue] = []
        columns.reserveCapacity(row.count)
        values.reserveCapacity(row.count)
        for cell in row {
            columns.append(cell.columnName)
            values.append(try value(cell))
        }
        return SQLRow(columns: columns, values: values)
    }

    /// One cell as an ``SQLValue``: integers (and booleans, as 0 and 1), reals (numeric
    /// included), text (JSON included) and bytes; another type is an error naming the column.
    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard var bytes = cell.bytes else { return .null }
        if cell.format == .text {
            let text = bytes.readString(length: bytes.readableBytes) ?? ""
            switch cell.dataType {
            case .int2, .int4, .int8, .oid: return Int64(text).map(SQLValue.integer) ?? .text(text)
            case .float4, .float8, .numeric: return Double(text).map(SQLValue.real) ?? .text(text)
            case .bool: return .integer(text == "t" ? 1 : 0)
            default: return .text(text)
            }
        }
        switch cell.dataType {
        case .int2:
            return try integer(bytes.readInteger(as: Int16.self).map(Int64.init), cell)
        case .int4:
            return try integer(bytes.readInteger(as: Int32.self).map(Int64.init), cell)
        case .int8:
            return try integer(bytes.readInteger(as: Int64.self), cell)
        case .oid:
            return try integer(bytes.readInteger(as: UInt32.self).map(Int64.init), cell)
        case .float4:
            return .real(Double(try cell.decode(Float.self)))
        case .float8:
            return .real(try cell.decode(Double.self))
        case .numeric:
            let decimal = try cell.decode(Decimal.self)
            return .real(NSDecimalNumber(decimal: decimal).doubleValue)
        case .bool:
            return .integer(bytes.readInteger(as: UInt8.self) == 0 ? 0 : 1)
        case .text, .varchar, .bpchar, .name, .json, .char:
            return .text(bytes.readString(length: bytes.readableBytes) ?? "")
        case .jsonb:
            // The binary form is a version byte (1) and the JSON text.
            _ = bytes.readInteger(as: UInt8.self)
            return .text(bytes.readString(length: bytes.readableBytes) ?? "")
        case .bytea:
            return .blob(Data(bytes.readableBytesView))
        default:
            throw PostgresValueError(description: """
                column \(cell.columnName) has the type \(cell.dataType), which the catalog does not read: cast it to text, bigint or double precision
                """)
        }
    }

    private static func integer(_ value: Int64?, _ cell: PostgresCell) throws -> SQLValue {
        guard let value else { throw PostgresValueError(description: "column \(cell.columnName): a truncated \(cell.dataType) value") }
        return .integer(value)
    }
}

/// A row stream's failure, kept apart from the errors of the body that reads the rows.
struct StreamFailure: Error {
    let error: any Error
}

/// Rows handed from the event loop, where PostgresNIO reads them, to the caller's thread, in
/// order. PostgresNIO's callback API has no back-pressure: rows the caller has not read yet
/// wait here, converted to ``SQLRow``.
final class RowStream: @unchecked Sendable {
    private let condition = NSCondition()
    private var rows: [SQLRow] = []
    private var head = 0
    private var result: Result<Void, any Error>?
    private var cancelled = false

    struct Cancelled: Error {}

    /// On the event loop: one more row.
    func push(_ row: PostgresRow) throws {
        let converted = try PostgresSQLConnection.row(row)
        condition.lock()
        defer { condition.unlock() }
        if cancelled { throw Cancelled() }
        rows.append(converted)
        condition.signal()
    }

    func finish(_ result: Result<Void, any Error>) {
        condition.lock()
        self.result = result
        condition.signal()
        condition.unlock()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        rows = []
        head = 0
        condition.unlock()
    }

    /// The next row, nil at the end; throws ``StreamFailure`` when the query failed.
    func next() throws -> SQLRow? {
        condition.lock()
        defer { condition.unlock() }
        while head == rows.count && result == nil {
            condition.wait()
        }
        if head < rows.count {
            let row = rows[head]
            head += 1
            if head > 1024 && head * 2 > rows.count {
                rows.removeFirst(head)
                head = 0
            }
            return row
        }
        if case .failure(let error) = result {
            throw StreamFailure(error: error)
        }
        return nil
    }
}

/// A parameter sent as text with no declared type (OID 0): the server infers its type from
/// where it stands in the statement.
struct UntypedText: PostgresThrowingDynamicTypeEncodable {
    let text: String

    init(_ text: String) {
        self.text = text
    }

    var psqlType: PostgresDataType { PostgresDataType(0) }
    var psqlFormat: PostgresFormat { .text }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) throws {
        byteBuffer.writeString(text)
    }
}
