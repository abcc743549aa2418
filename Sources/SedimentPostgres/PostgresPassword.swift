import Foundation

/// Where the catalog's password comes from, first found:
///
/// 1. `PGPASSWORD`;
/// 2. `$CREDENTIALS_DIRECTORY/catalog_password`, the file systemd makes of
///    `LoadCredential=catalog_password:/path` (its trailing newline removed);
/// 3. the passfile, `PGPASSFILE` or else `~/.pgpass`, in libpq's format: lines of
///    `host:port:database:user:password`, `*` matching anything in the first four fields,
///    `\:` and `\\` escaping, `#` starting a comment line. As in libpq, a passfile that its
///    group or others may read is ignored (with a warning).
///
/// The environment is a parameter, so that tests need not change the process's.
public struct PostgresPassword: Sendable {
    /// The password, nil when no source has one (the server may not ask for one).
    public var password: String?
    /// Which source gave it, for messages ("PGPASSWORD", "passfile /root/.pgpass", …); never the password.
    public var source: String?
    /// Why a source was skipped (a passfile others can read, an unreadable credential).
    public var warnings: [String]

    public static let credentialName = "catalog_password"

    public init(password: String?, source: String?, warnings: [String] = []) {
        self.password = password
        self.source = source
        self.warnings = warnings
    }

    /// Finds the password for `settings` in the sources above.
    public static func find(for settings: PostgresSettings, environment: [String: String]) -> PostgresPassword {
        var warnings: [String] = []
        if let password = environment["PGPASSWORD"], !password.isEmpty {
            return PostgresPassword(password: password, source: "PGPASSWORD")
        }
        if let folder = environment["CREDENTIALS_DIRECTORY"], !folder.isEmpty {
            let path = (folder as NSString).appendingPathComponent(credentialName)
            if FileManager.default.fileExists(atPath: path) {
                if let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) {
                    var password = Substring(text)
                    while password.hasSuffix("\n") || password.hasSuffix("\r") || password.hasSuffix("\r\n") { password = password.dropLast() }
                    return PostgresPassword(password: String(password), source: "credential \(path)", warnings: warnings)
                }
                warnings.append("the credential \(path) cannot be read as UTF-8 text; it is ignored")
            }
        }
        let passfile: String
        if let path = environment["PGPASSFILE"], !path.isEmpty {
            passfile = path
        } else if let home = environment["HOME"].flatMap({ $0.isEmpty ? nil : $0 }) ?? homeDirectory() {
            passfile = (home as NSString).appendingPathComponent(".pgpass")
        } else {
            return PostgresPassword(password: nil, source: nil, warnings: warnings)
        }
        switch readPassfile(passfile) {
        case .missing:
            break
        case .ignored(let reason):
            warnings.append(reason)
        case .lines(let text):
            if let password = match(passfile: text, settings: settings) {
                return PostgresPassword(password: password, source: "passfile \(passfile)", warnings: warnings)
            }
        }
        return PostgresPassword(password: nil, source: nil, warnings: warnings)
    }

    /// Where the sources were looked for, for a message when none had a password.
    public static func searched(environment: [String: String]) -> String {
        var places = ["PGPASSWORD"]
        if let folder = environment["CREDENTIALS_DIRECTORY"], !folder.isEmpty {
            places.append((folder as NSString).appendingPathComponent(credentialName))
        } else {
            places.append("$CREDENTIALS_DIRECTORY/\(credentialName) (not set)")
        }
        places.append(environment["PGPASSFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "~/.pgpass")
        return places.joined(separator: ", ")
    }

    enum Passfile: Equatable {
        case missing
        case ignored(String)
        case lines(String)
    }

    /// The passfile's text, unless it is missing, not a regular file, or readable by others.
    static func readPassfile(_ path: String) -> Passfile {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        guard info.st_mode & S_IFMT == S_IFREG else {
            return .ignored("the passfile \(path) is not a plain file; it is ignored")
        }
        if info.st_mode & (S_IRWXG | S_IRWXO) != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            return .ignored("the passfile \(path) may be read by its group or others (mode \(mode)); it is ignored, as libpq does: make it u=rw (0600)")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            return .ignored("the passfile \(path) cannot be read as UTF-8 text; it is ignored")
        }
        return .lines(text)
    }

    /// The password of the first line of `text` matching host, port, database and user.
    static func match(passfile text: String, settings: PostgresSettings) -> String? {
        let wanted = [settings.host, String(settings.port), settings.database, settings.user]
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let line = rawLine.trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = passfileFields(line)
            guard fields.count == 5 else { continue }
            let matches = zip(fields.prefix(4), wanted).allSatisfy { field, value in
                field.text == value || (field.text == "*" && !field.escaped)
            }
            if matches { return fields[4].text }
        }
        return nil
    }

    /// The fields of one passfile line: split at unescaped colons (the fifth field, the
    /// password, takes the rest of the line), with `\x` read as `x`.
    static func passfileFields(_ line: String) -> [(text: String, escaped: Bool)] {
        var fields: [(text: String, escaped: Bool)] = []
        var current = ""
        var escaped = false
        var iterator = line.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            if scalar == "\\" {
                if let next = iterator.next() {
                    current.unicodeScalars.append(next)
                    escaped = true
                }
            } else if scalar == ":" && fields.count < 4 {
                fields.append((current, escaped))
                current = ""
                escaped = false
            } else {
                current.unicodeScalars.append(scalar)
            }
        }
        fields.append((current, escaped))
        return fields
    }

    static func homeDirectory() -> String? {
        guard let entry = getpwuid(geteuid()), let directory = entry.pointee.pw_dir else { return nil }
        return String(cString: directory)
    }
}
