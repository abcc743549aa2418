import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import SedimentStore

/// At most `size` connections, handed to one caller at a time; a caller waits while all are
/// in use. A connection that failed (or that the server closed) is closed and forgotten, and
/// the next checkout opens a new one.
final class PostgresConnectionPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var idle: [PostgresSQLConnection] = []
    /// Connections open or being opened, idle or in use.
    private var open = 0
    private var closed = false
    private let size: Int
    private let location: String
    private let connect: () throws -> PostgresSQLConnection

    init(size: Int, location: String, connect: @escaping () throws -> PostgresSQLConnection) {
        self.size = max(1, size)
        self.location = location
        self.connect = connect
    }

    /// An idle connection, a new one, or the first one given back. `fresh`: never an idle one.
    func checkout(fresh: Bool = false) throws -> (connection: PostgresSQLConnection, reused: Bool) {
        condition.lock()
        while true {
            if closed {
                condition.unlock()
                throw SQLDatabaseError(message: "catalog \(location): the catalog is closed")
            }
            if !fresh, let connection = idle.popLast() {
                if connection.connection.isClosed {
                    open -= 1
                    continue
                }
                condition.unlock()
                return (connection, true)
            }
            if fresh, !idle.isEmpty, open >= size {
                // Make room: the oldest idle connection gives way to a new one.
                let oldest = idle.removeFirst()
                open -= 1
                oldest.closeSoon()
            }
            if open < size {
                open += 1
                condition.unlock()
                do {
                    return (try connect(), false)
                } catch {
                    condition.lock()
                    open -= 1
                    condition.signal()
                    condition.unlock()
                    throw error
                }
            }
            condition.wait()
        }
    }

    /// Gives a connection back; one that failed is closed instead.
    func checkin(_ connection: PostgresSQLConnection) {
        condition.lock()
        defer { condition.unlock() }
        if closed || !connection.usable {
            open -= 1
            connection.closeSoon()
        } else {
            connection.lastFailure = nil
            idle.append(connection)
        }
        condition.signal()
    }

    /// Closes the idle connections (those in use are closed when given back) and refuses
    /// later checkouts.
    func close() {
        condition.lock()
        closed = true
        let connections = idle
        idle = []
        open -= connections.count
        condition.broadcast()
        condition.unlock()
        for connection in connections {
            connection.closeAndWait()
        }
    }
}

extension PostgresSettings {
    /// PostgresNIO's TLS mode for `sslMode`: prefer and require encrypt without checking the
    /// certificate (require checks it when `sslrootcert` names a file, as libpq does);
    /// verify-ca checks it against `sslrootcert` or the system's roots; verify-full also
    /// checks that it names the host.
    func tls() throws -> PostgresConnection.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        let rootFile = sslRootCert.flatMap { $0 == "system" ? nil : $0 }
        if let rootFile {
            guard FileManager.default.isReadableFile(atPath: rootFile) else {
                throw SQLDatabaseError(message: "catalog \(location): sslrootcert \(rootFile) cannot be read")
            }
            configuration.trustRoots = .file(rootFile)
        } else {
            configuration.trustRoots = .default
        }
        switch sslMode {
        case .disable:
            return .disable
        case .prefer:
            configuration.certificateVerification = .none
        case .require:
            configuration.certificateVerification = rootFile == nil ? .none : .noHostnameVerification
        case .verifyCA:
            configuration.certificateVerification = .noHostnameVerification
        case .verifyFull:
            configuration.certificateVerification = .fullVerification
        }
        do {
            let context = try NIOSSLContext(configuration: configuration)
            return sslMode == .prefer ? .prefer(context) : .require(context)
        } catch {
            throw SQLDatabaseError(message: "catalog \(location): TLS cannot be set up (sslmode=\(sslMode.rawValue)): \(PostgresFailure.describe(error))")
        }
    }

    /// PostgresNIO's configuration for these settings and `password`.
    func configuration(password: String?, readOnly: Bool) throws -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(host: host, port: port, username: user, password: password,
                                                             database: database, tls: try tls())
        configuration.options.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
        if sslMode == .verifyFull { configuration.options.tlsServerName = host }
        var parameters = [("application_name", applicationName)]
        if readOnly { parameters.append(("default_transaction_read_only", "on")) }
        configuration.options.additionalStartupParameters = parameters
        return configuration
    }
}
