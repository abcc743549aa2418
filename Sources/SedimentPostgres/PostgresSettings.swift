import Foundation

/// Where the PostgreSQL catalog is and how to reach it, read from a URL in libpq's form:
///
///     postgresql://sediment@db.example.org:5432/archive?sslmode=verify-full&sslrootcert=/etc/sediment/ca.pem
///
/// The URL never carries the password (configuration files must hold no secret): see
/// ``PostgresPassword`` for where it is found. Query keys are libpq's: `sslmode`,
/// `sslrootcert`, `connect_timeout` (seconds) and `application_name`; any other is refused.
public struct PostgresSettings: Sendable, Equatable {
    /// How the connection is encrypted, as libpq's `sslmode`.
    public enum SSLMode: String, Sendable, CaseIterable {
        /// Never TLS.
        case disable
        /// TLS when the server offers it, without checking its certificate; plain otherwise (libpq's default).
        case prefer
        /// TLS always, without checking the certificate (unless `sslrootcert` is given, as libpq does).
        case require
        /// TLS always; the certificate must be signed by a trusted authority.
        case verifyCA = "verify-ca"
        /// TLS always; the certificate must be trusted and name the host.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var sslMode: SSLMode
    /// The file of trusted authorities' certificates (PEM); nil or `system` for the system's roots.
    public var sslRootCert: String?
    public var connectTimeout: TimeInterval
    public var applicationName: String
    /// How many connections the catalog keeps open at most.
    public var poolSize: Int

    public static let defaultPort = 5432
    public static let defaultPoolSize = 4

    public init(host: String, port: Int = PostgresSettings.defaultPort, user: String, database: String? = nil,
                sslMode: SSLMode = .prefer, sslRootCert: String? = nil, connectTimeout: TimeInterval = 10,
                applicationName: String = "sediment", poolSize: Int = PostgresSettings.defaultPoolSize) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database ?? user
        self.sslMode = sslMode
        self.sslRootCert = sslRootCert
        self.connectTimeout = connectTimeout
        self.applicationName = applicationName
        self.poolSize = poolSize
    }

    /// The URL without password, for messages: `postgresql://user@host:port/database`.
    public var location: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "postgresql://\(Self.escape(user))@\(hostPart):\(port)/\(Self.escape(database))"
    }

    /// Whether `text` names a PostgreSQL catalog (rather than a SQLite file).
    public static func isPostgresURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://")
    }

    /// Reads a `postgresql://` or `postgres://` URL. The user, when the URL has none, is
    /// `PGUSER` or the user running the process, as in libpq; the database defaults to the user.
    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let schemeEnd = text.range(of: "://"), Self.isPostgresURL(text) else {
            throw PostgresSettingsError(url: text, problem: "is not a postgresql:// or postgres:// URL")
        }
        var rest = Substring(text[schemeEnd.upperBound...])
        var queryText: Substring = ""
        if let question = rest.firstIndex(of: "?") {
            queryText = rest[rest.index(after: question)...]
            rest = rest[..<question]
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        // The user part ends at the last @ (a password may hold an unescaped /).
        var user: String?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if userInfo.contains(":") {
                // Never repeat the URL as given: it holds the password.
                throw PostgresSettingsError(url: text, problem: """
                    holds a password (after the user name and a colon); a configuration file must hold no secret: \
                    give it in PGPASSWORD, a passfile (PGPASSFILE, ~/.pgpass) or the systemd credential catalog_password
                    """)
            }
            user = try Self.decode(userInfo, part: "user name", url: text)
        }
        var hostPort = rest
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            hostPort = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        }

        var host: String
        var portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else {
                throw PostgresSettingsError(url: text, problem: "has an IPv6 host without its closing ]")
            }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                throw PostgresSettingsError(url: text, problem: "has \(after) after its IPv6 host")
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = try Self.decode(hostPort[..<colon], part: "host", url: text)
            portText = hostPort[hostPort.index(after: colon)...]
        } else {
            host = try Self.decode(hostPort, part: "host", url: text)
        }
        guard !host.isEmpty else {
            throw PostgresSettingsError(url: text, problem: "has no host (connecting through a Unix socket is not supported: give host and port)")
        }
        var port = Self.defaultPort
        if let portText, !portText.isEmpty {
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw PostgresSettingsError(url: text, problem: "has port \(portText), which is not a number from 1 to 65535")
            }
            port = number
        }

        let resolvedUser: String
        if let user, !user.isEmpty {
            resolvedUser = user
        } else if let fromEnvironment = environment["PGUSER"], !fromEnvironment.isEmpty {
            resolvedUser = fromEnvironment
        } else if let current = Self.currentUser() {
            resolvedUser = current
        } else {
            throw PostgresSettingsError(url: text, problem: "names no user, PGUSER is not set, and the user running sediment has no name")
        }
        guard !path.contains("/") else {
            throw PostgresSettingsError(url: text, problem: "has a path of several parts; it must be the database's name alone")
        }
        let database = try Self.decode(path, part: "database name", url: text)

        self.init(host: host, port: port, user: resolvedUser, database: database.isEmpty ? nil : database)
        try applyQuery(queryText, url: text)
    }

    private mutating func applyQuery(_ query: Substring, url: String) throws {
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = try Self.decode(parts[0], part: "query key", url: url)
            if key == "password" {
                throw PostgresSettingsError(url: url, problem: """
                    has the query key password; a configuration file must hold no secret: give it in PGPASSWORD, \
                    a passfile (PGPASSFILE, ~/.pgpass) or the systemd credential catalog_password
                    """)
            }
            let value = parts.count > 1 ? try Self.decode(parts[1], part: "value of \(key)", url: url) : ""
            switch key {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    let known = SSLMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw PostgresSettingsError(url: url, problem: "has sslmode=\(value), which is not one of \(known)")
                }
                sslMode = mode
            case "sslrootcert":
                sslRootCert = value.isEmpty ? nil : value
            case "connect_timeout":
                guard let seconds = Int(value), seconds > 0 else {
                    throw PostgresSettingsError(url: url, problem: "has connect_timeout=\(value), which is not a positive number of seconds")
                }
                connectTimeout = TimeInterval(seconds)
            case "application_name":
                applicationName = value
            default:
                throw PostgresSettingsError(url: url, problem: """
                    has the query key \(key), which sediment does not know (known: sslmode, sslrootcert, connect_timeout, application_name)
                    """)
            }
        }
    }

    /// Percent-decodes one part of the URL.
    static func decode(_ text: Substring, part: String, url: String) throws -> String {
        guard text.contains("%") else { return String(text) }
        guard let decoded = String(text).removingPercentEncoding else {
            throw PostgresSettingsError(url: url, problem: "has a \(part) with a malformed %-escape")
        }
        return decoded
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.urlUserAllowed
        allowed.remove(charactersIn: ":@/?#[]%")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// The name of the user running the process.
    static func currentUser() -> String? {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }
}

/// A catalog URL that cannot be used. Its text never holds the URL's password.
public struct PostgresSettingsError: Error, CustomStringConvertible, Sendable {
    public let description: String

    init(url: String, problem: String) {
        description = "catalog URL \(PostgresSettingsError.withoutPassword(url)) \(problem)"
    }

    /// The URL with its passwords (in the user part, or a `password` query key) replaced by `***`.
    static func withoutPassword(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        var result = String(url[..<schemeEnd.upperBound])
        var rest = url[schemeEnd.upperBound...]
        let beforeQuery = rest[..<(rest.firstIndex(where: { "?#".contains($0) }) ?? rest.endIndex)]
        if let at = beforeQuery.lastIndex(of: "@"), let colon = beforeQuery[..<at].firstIndex(of: ":") {
            result += rest[..<colon] + ":***"
            rest = rest[at...]
        }
        guard let question = rest.firstIndex(of: "?") else { return result + rest }
        result += rest[...question]
        let pairs = rest[rest.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false)
        return result + pairs.map { pair in
            pair.lowercased().hasPrefix("password=") ? "password=***" : String(pair)
        }.joined(separator: "&")
    }
}
