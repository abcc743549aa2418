import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import SedimentStore

/// The catalog on a PostgreSQL server, for several workers sharing one archive.
///
/// Calls are synchronous, like SQLite's: each waits, on the caller's thread, for
/// PostgresNIO's futures, which run on this database's own event loop (one thread). Calling
/// from that event loop's thread would wait for itself, and is refused.
///
/// - `read` runs in a `REPEATABLE READ READ ONLY` transaction, so that its statements see
///   one state of the catalog;
/// - `write` runs in a transaction, rolled back when its body throws, and run again (5 times
///   at most) when the server ends it with a serialization failure (SQLSTATE 40001) or a
///   deadlock (40P01);
/// - `readOne` runs without a transaction.
///
/// Opening (``init(settings:environment:logger:)``) applies the missing migrations in one
/// transaction under an advisory lock, so that workers starting together on a new database
/// wait for one another instead of racing.
public final class PostgreSQLDatabase: SQLDatabase {
    public let settings: PostgresSettings
    public var dialect: SQLDialect { .postgres }
    public var location: String { settings.location }
    /// Whether this open refuses writes (``init(readOnlySettings:environment:logger:)``).
    public let readOnly: Bool
    private let group: MultiThreadedEventLoopGroup
    private let pool: PostgresConnectionPool
    private let logger: Logger

    /// How many times `write` runs its body when the server asks for a retry.
    public static let writeAttempts = 5

    /// Opens the catalog at `url` (`postgresql://user@host:port/db?sslmode=…`), migrating it.
    public convenience init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                            logger: Logger = Logger(label: "sediment.catalog.postgresql")) throws {
        try self.init(settings: PostgresSettings(url: url, environment: environment), environment: environment, logger: logger)
    }

    /// Opens the catalog, applying the migrations it lacks.
    public convenience init(settings: PostgresSettings, environment: [String: String] = ProcessInfo.processInfo.environment,
                            logger: Logger = Logger(label: "sediment.catalog.postgresql")) throws {
        try self.init(settings: settings, environment: environment, logger: logger, readOnly: false)
        do {
            try PostgresMigrations.migrate(self)
        } catch {
            close()
            throw error
        }
    }

    /// Opens the catalog for reading only: no migration, and the server refuses writes.
    public convenience init(readOnlySettings settings: PostgresSettings, environment: [String: String] = ProcessInfo.processInfo.environment,
                            logger: Logger = Logger(label: "sediment.catalog.postgresql")) throws {
        try self.init(settings: settings, environment: environment, logger: logger, readOnly: true)
    }

    private init(settings: PostgresSettings, environment: [String: String], logger: Logger, readOnly: Bool) throws {
        self.settings = settings
        self.readOnly = readOnly
        self.logger = logger
        let password = PostgresPassword.find(for: settings, environment: environment)
        for warning in password.warnings {
            logger.warning("catalog \(settings.location): \(warning)")
        }
        let configuration = try settings.configuration(password: password.password, readOnly: readOnly)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.group = group
        let location = settings.location
        let ids = ConnectionIDs()
        // PostgresNIO traces every message it receives: not below info, whatever the daemon's level.
        var clientLogger = logger
        clientLogger.logLevel = max(logger.logLevel, .info)
        pool = PostgresConnectionPool(size: settings.poolSize, location: location) {
            do {
                let connection = try PostgresConnection.connect(on: group.next(), configuration: configuration,
                                                                id: ids.next(), logger: clientLogger).wait()
                return PostgresSQLConnection(connection, location: location, logger: clientLogger)
            } catch {
                throw PostgresFailure.connecting(error, settings: settings, password: password, environment: environment)
            }
        }
        do {
            // Fail at open, with the reason, rather than at the first use.
            let (connection, _) = try pool.checkout()
            pool.checkin(connection)
        } catch {
            pool.close()
            try? group.syncShutdownGracefully()
            throw error
        }
    }

    deinit {
        close()
    }

    public func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        do {
            return try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
        } catch let retry as Retry {
            throw retry.error
        }
    }

    public func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try transaction(begin: "BEGIN", body)
            } catch let retry as Retry {
                guard attempt < Self.writeAttempts else { throw retry.error }
                logger.debug("catalog \(location): transaction attempt \(attempt) failed (\(retry.error.message)); running it again")
                attempt += 1
                // A little, growing, randomized wait, so that the transactions that collided do not collide again.
                usleep(UInt32.random(in: 1_000...20_000) * UInt32(attempt))
            }
        }
    }

    public func readOne<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        checkThread()
        let (connection, _) = try pool.checkout()
        defer { pool.checkin(connection) }
        return try body(connection)
    }

    public func needsUpgrade() throws -> Bool {
        try readOne { connection in try PostgresMigrations.missing(connection) }
    }

    private let closing = OnceFlag()

    public func close() {
        guard closing.setOnce() else { return }
        pool.close()
        if !ownsCurrentThread() {
            try? group.syncShutdownGracefully()
        }
    }

    /// A transaction's failure that running it again may cure (40001, 40P01).
    struct Retry: Error {
        let error: SQLDatabaseError
    }

    /// Runs `body` between `begin` and COMMIT on one connection; ROLLBACK when it throws.
    private func transaction<T>(begin: String, _ body: (any SQLConnection) throws -> T) throws -> T {
        checkThread()
        var (connection, reused) = try pool.checkout()
        do {
            try connection.run(PostgresQuery(unsafeSQL: begin))
        } catch let error as SQLDatabaseError {
            // An idle connection the server dropped fails here first: one more try on a new one.
            let lost = connection.lastFailure?.connectionLost ?? false
            pool.checkin(connection)
            guard reused && lost else { throw error }
            (connection, reused) = try pool.checkout(fresh: true)
            do {
                try connection.run(PostgresQuery(unsafeSQL: begin))
            } catch {
                pool.checkin(connection)
                throw error
            }
        }
        defer { pool.checkin(connection) }
        do {
            let result = try body(connection)
            try connection.run("COMMIT")
            return result
        } catch {
            let failure = connection.lastFailure
            if connection.usable {
                do {
                    try connection.run("ROLLBACK")
                } catch {
                    connection.lastFailure = PostgresFailure(sqlState: nil, message: "ROLLBACK failed", connectionLost: true)
                }
            }
            if let failure, failure.retryable, let sqlError = error as? SQLDatabaseError {
                throw Retry(error: sqlError)
            }
            throw error
        }
    }

    /// Refuses a call from this database's event loop, which would wait for itself forever.
    private func checkThread() {
        precondition(!ownsCurrentThread(), """
            catalog \(location): called from the PostgreSQL client's own event loop thread, where waiting for a \
            query would block forever; call it from another thread
            """)
    }

    private func ownsCurrentThread() -> Bool {
        group.makeIterator().contains { $0.inEventLoop }
    }
}

/// Numbers for PostgresNIO's connection ids (in its log metadata).
private final class ConnectionIDs: @unchecked Sendable {
    private let lock = NSLock()
    private var last = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        last += 1
        return last
    }
}

/// A flag set once, from any thread.
private final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false

    /// True the first time only.
    func setOnce() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if set { return false }
        set = true
        return true
    }
}
