import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import SedimentStore

/// PostgresNIO's errors in words: the server's message and SQLSTATE, or what happened to the
/// connection. PSQLError's own description is a placeholder, so every field is read here.
struct PostgresFailure {
    /// The SQLSTATE the server gave, when it was the server that refused.
    var sqlState: String?
    /// What happened, without the location.
    var message: String
    /// Whether the connection can no longer be used.
    var connectionLost: Bool

    /// A serialization failure or a deadlock: running the transaction again may succeed.
    var retryable: Bool { sqlState == "40001" || sqlState == "40P01" }

    var transient: Bool { retryable || connectionLost }

    func error(location: String, statement: String? = nil) -> SQLDatabaseError {
        // A statement the server cannot compile (SQLSTATE class 42) is a fault of this program:
        // the message names the statement (never its arguments) for the report.
        if let statement, sqlState?.hasPrefix("42") == true {
            let text = statement.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            return SQLDatabaseError(message: "catalog \(location): \(message) in: \(text.prefix(300))", transient: transient)
        }
        return SQLDatabaseError(message: "catalog \(location): \(message)", transient: transient)
    }

    /// The failure of a statement (or of BEGIN, COMMIT) on an open connection.
    init(_ error: any Error) {
        if let psql = error as? PSQLError {
            self.init(psql: psql)
        } else if let decoding = error as? PostgresDecodingError {
            self.init(sqlState: nil, message: "column \(decoding.columnName) of type \(decoding.postgresType) cannot be read: \(decoding.code)",
                      connectionLost: false)
        } else if let failure = error as? PostgresValueError {
            self.init(sqlState: nil, message: failure.description, connectionLost: false)
        } else {
            self.init(sqlState: nil, message: "the connection failed: \(Self.describe(error))", connectionLost: true)
        }
    }

    init(sqlState: String?, message: String, connectionLost: Bool) {
        self.sqlState = sqlState
        self.message = message
        self.connectionLost = connectionLost
    }

    private init(psql: PSQLError) {
        if let info = psql.serverInfo {
            let state = info[.sqlState]
            var text = info[.message] ?? "the server refused the statement"
            if let detail = info[.detail], !detail.isEmpty { text += " (\(detail))" }
            if let state { text += " (SQLSTATE \(state))" }
            // Class 08 (connection exception) and 57P01-57P03 (the server shutting down) end the connection.
            let lost = state.map { $0.hasPrefix("08") || $0.hasPrefix("57P") } ?? false
            self.init(sqlState: state, message: text, connectionLost: lost)
            return
        }
        switch psql.code {
        case .serverClosedConnection, .uncleanShutdown:
            self.init(sqlState: nil, message: "the server closed the connection\(Self.because(psql.underlying))", connectionLost: true)
        case .clientClosedConnection:
            self.init(sqlState: nil, message: "the connection was closed", connectionLost: true)
        case .connectionError:
            self.init(sqlState: nil, message: "the connection failed\(Self.because(psql.underlying))", connectionLost: true)
        case .queryCancelled:
            self.init(sqlState: nil, message: "the query was cancelled", connectionLost: false)
        case .tooManyParameters:
            self.init(sqlState: nil, message: "the statement has more than 65535 arguments", connectionLost: false)
        default:
            self.init(sqlState: nil, message: "\(psql.code)\(Self.because(psql.underlying))", connectionLost: true)
        }
    }

    /// Why a new connection could not be made, naming where it went and as whom.
    static func connecting(_ error: any Error, settings: PostgresSettings, password: PostgresPassword,
                           environment: [String: String]) -> SQLDatabaseError {
        let target = "cannot connect to \(settings.host):\(settings.port) (database \(settings.database), user \(settings.user))"
        let why: String
        // Worth trying again later: the server unreachable, starting, or full; not a refusal.
        var transient = true
        if let psql = error as? PSQLError {
            switch psql.code {
            case .server:
                let failure = PostgresFailure(psql: psql)
                let state = failure.sqlState ?? ""
                transient = state.hasPrefix("08") || state.hasPrefix("57P") || state == "53300"
                var text = failure.message
                if failure.sqlState == "28P01" || failure.sqlState == "28000" {
                    text += password.source.map { "; the password came from \($0)" }
                        ?? "; no password was found (looked in \(PostgresPassword.searched(environment: environment)))"
                }
                why = text
            case .sslUnsupported:
                why = "the server does not offer TLS, which sslmode=\(settings.sslMode.rawValue) requires"
                    + " (enable ssl on the server, or choose sslmode=prefer or disable)"
            case .authMechanismRequiresPassword:
                why = "the server asks for a password and none was found (looked in \(PostgresPassword.searched(environment: environment)))"
            case .unsupportedAuthMechanism:
                why = "the server asks for an authentication method that is not supported (use scram-sha-256 or md5)\(because(psql.underlying))"
            case .saslError:
                why = "the SCRAM authentication failed\(because(psql.underlying))"
            case .failedToAddSSLHandler:
                why = "TLS could not be set up\(because(psql.underlying))"
            case .receivedUnencryptedDataAfterSSLRequest:
                why = "the server answered the TLS request with unencrypted data"
            default:
                why = "\(psql.code)\(because(psql.underlying))"
            }
            if psql.code != .server && psql.code != .connectionError && psql.code != .serverClosedConnection
                && psql.code != .uncleanShutdown {
                transient = false
            }
        } else {
            why = describe(error)
        }
        return SQLDatabaseError(message: "catalog \(settings.location): \(target): \(why)", transient: transient)
    }

    private static func because(_ underlying: (any Error)?) -> String {
        underlying.map { ": " + describe($0) } ?? ""
    }

    /// An error of NIO or of the TLS layer in words.
    static func describe(_ error: any Error) -> String {
        if let psql = error as? PSQLError {
            return PostgresFailure(psql: psql).message
        }
        if let connection = error as? NIOConnectionError {
            let causes = connection.connectionErrors.map { describe($0.error) }
            if let dns = connection.dnsAAAAError ?? connection.dnsAError, causes.isEmpty {
                return "the host name could not be resolved (\(dns))"
            }
            return causes.isEmpty ? "no address to connect to" : Array(Set(causes)).sorted().joined(separator: "; ")
        }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return "connection refused (is the server running and listening there?)"
            case ETIMEDOUT: return "the connection timed out"
            case EHOSTUNREACH, ENETUNREACH: return "the host cannot be reached"
            default: return String(cString: strerror(io.errnoCode))
            }
        }
        if let channel = error as? ChannelError {
            if case .connectTimeout(let amount) = channel {
                return "no answer within \(amount.nanoseconds / 1_000_000_000) s"
            }
            return "\(channel)"
        }
        if let ssl = error as? NIOSSLError {
            return "TLS failed: \(ssl)"
        }
        if let ssl = error as? BoringSSLError {
            return "TLS failed: \(ssl)"
        }
        return String(describing: error)
    }
}

/// A value the catalog cannot read or bind.
struct PostgresValueError: Error, CustomStringConvertible {
    let description: String
}
