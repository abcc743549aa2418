import Foundation

/// The key pair (and session token) that signs requests, found as the AWS CLI finds them
/// (``resolve(environment:)``). Its description names the access key's id and where it came
/// from, never the secret key or the token.
public struct S3Credentials: Sendable, Equatable, CustomStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    /// For temporary credentials (STS): sent as `x-amz-security-token`.
    public var sessionToken: String?
    /// Where they were found: "the environment", "systemd credentials in /run/…", "profile
    /// default of /root/.aws/credentials".
    public var source: String

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, source: String = "the configuration") {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.source = source
    }

    public var description: String { "access key \(accessKeyID) from \(source)" }

    /// The values that must never appear in an error or a log line.
    public var secrets: [String] { [secretAccessKey] + (sessionToken.map { [$0] } ?? []) }

    /// The first credentials found, in this order:
    ///
    /// 1. `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (with `AWS_SESSION_TOKEN` if set);
    /// 2. systemd credentials (`LoadCredential=`): the files `aws_access_key_id`,
    ///    `aws_secret_access_key` and, if present, `aws_session_token` in
    ///    `$CREDENTIALS_DIRECTORY`;
    /// 3. the profile `AWS_PROFILE` (else `AWS_DEFAULT_PROFILE`, else `default`) of the shared
    ///    credentials file (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`): keys
    ///    `aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`;
    /// 4. the same keys in that profile of the config file (`AWS_CONFIG_FILE`, else
    ///    `~/.aws/config`, sections `[default]` and `[profile NAME]`).
    ///
    /// Throws ``S3CredentialsError`` when half a pair is given, when a profile named
    /// explicitly exists nowhere, or when nothing is found (saying where it looked).
    public static func resolve(environment: [String: String]) throws -> S3Credentials {
        func value(_ name: String) -> String? {
            environment[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        let keyID = value("AWS_ACCESS_KEY_ID"), secret = value("AWS_SECRET_ACCESS_KEY")
        if keyID != nil || secret != nil {
            guard let keyID, let secret else {
                throw S3CredentialsError(problem: "only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set in the environment")
            }
            return S3Credentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"), source: "the environment")
        }
        var looked: [String] = ["the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)"]
        if let folder = value("CREDENTIALS_DIRECTORY") {
            func read(_ name: String) -> String? {
                (try? String(contentsOfFile: folder + "/" + name, encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
            }
            let keyID = read("aws_access_key_id"), secret = read("aws_secret_access_key")
            if keyID != nil || secret != nil {
                guard let keyID, let secret else {
                    throw S3CredentialsError(problem: "only one of aws_access_key_id and aws_secret_access_key is among the systemd credentials in \(folder)")
                }
                return S3Credentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: read("aws_session_token"),
                                     source: "systemd credentials in \(folder)")
            }
            looked.append("systemd credentials in \(folder)")
        }
        let files = AWSFiles(environment: environment)
        var profileFound = false
        for (path, section) in [(files.credentialsPath, files.profile), (files.configPath, files.configSection)] {
            guard let sections = AWSFiles.sections(path) else {
                looked.append(path)
                continue
            }
            guard let entries = sections[section] else {
                looked.append("[\(section)] of \(path)")
                continue
            }
            profileFound = true
            let keyID = entries["aws_access_key_id"], secret = entries["aws_secret_access_key"]
            if keyID != nil || secret != nil {
                guard let keyID, let secret else {
                    throw S3CredentialsError(problem: "profile \(files.profile) of \(path) has only one of aws_access_key_id and aws_secret_access_key")
                }
                return S3Credentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: entries["aws_session_token"],
                                     source: "profile \(files.profile) of \(path)")
            }
            looked.append("[\(section)] of \(path)")
        }
        if files.profileIsExplicit && !profileFound {
            throw S3CredentialsError(problem: "the profile \(files.profile) (AWS_PROFILE) is in neither \(files.credentialsPath) nor \(files.configPath)")
        }
        throw S3CredentialsError(problem: "no credentials found; looked in " + looked.joined(separator: ", "))
    }
}

/// Credentials that cannot be found or are incomplete. Never holds a secret.
public struct S3CredentialsError: Error, CustomStringConvertible {
    public let problem: String

    public var description: String { "S3 credentials: \(problem)" }
}

/// The AWS CLI's shared files: where they are, which profile applies, and their INI sections.
struct AWSFiles {
    let credentialsPath: String
    let configPath: String
    let profile: String
    let profileIsExplicit: Bool

    init(environment: [String: String]) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let home = value("HOME") ?? NSHomeDirectory()
        credentialsPath = value("AWS_SHARED_CREDENTIALS_FILE") ?? home + "/.aws/credentials"
        configPath = value("AWS_CONFIG_FILE") ?? home + "/.aws/config"
        let named = value("AWS_PROFILE") ?? value("AWS_DEFAULT_PROFILE")
        profile = named ?? "default"
        profileIsExplicit = named != nil
    }

    /// The profile's section in the config file: `[default]` or `[profile NAME]`.
    var configSection: String { profile == "default" ? "default" : "profile \(profile)" }

    /// A setting of the profile in the config file (`region`, `endpoint_url`).
    func config(_ key: String) -> String? {
        Self.sections(configPath)?[configSection]?[key]
    }

    /// The sections of an INI file (`[name]`, `key = value`, `#` and `;` comments); nil
    /// when it cannot be read.
    static func sections(_ path: String) -> [String: [String: String]]? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var sections: [String: [String: String]] = [:]
        var current: String?
        for raw in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                current = name
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if !value.isEmpty { sections[section]?[key] = value }
        }
        return sections
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
