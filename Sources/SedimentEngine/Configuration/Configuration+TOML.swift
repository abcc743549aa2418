import Foundation
import SedimentNetwork
import TOMLKit

extension Configuration {
    /// Where `--config` defaults to: `$SEDIMENT_CONFIG`, then `/etc/sediment/sediment.toml`,
    /// then `./sediment.toml`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["SEDIMENT_CONFIG"], !path.isEmpty { return path }
        if FileManager.default.fileExists(atPath: "/etc/sediment/sediment.toml") { return "/etc/sediment/sediment.toml" }
        return "./sediment.toml"
    }

    /// Reads and validates the configuration file at `path`. Relative storage paths are
    /// resolved against the file's folder.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Configuration {
        guard let data = FileManager.default.contents(atPath: path) else {
            let cause = String(cString: strerror(errno))
            var isFolder: ObjCBool = false
            if !FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
                throw ConfigurationError(file: path, key: nil, problem: "no configuration file here; name one with --config PATH or "
                                         + "$SEDIMENT_CONFIG (without either, sediment reads /etc/sediment/sediment.toml, then ./sediment.toml)")
            }
            throw ConfigurationError(file: path, key: nil, problem: isFolder.boolValue
                ? "this is a folder, not a configuration file"
                : "cannot read the configuration file (\(cause))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(file: path, key: nil, problem: "not UTF-8 text")
        }
        var configuration = try parse(text, file: path)
        configuration.source = path
        if !configuration.storage.path.hasPrefix("/") {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            configuration.storage.path = folder.appendingPathComponent(configuration.storage.path).standardizedFileURL.path
        }
        configuration.storage.store = configuration.storage.store?.resolved(against: URL(fileURLWithPath: path).deletingLastPathComponent().path)
        configuration.catalog = configuration.catalog?.resolved(against: URL(fileURLWithPath: path).deletingLastPathComponent().path)
        return configuration
    }

    /// Parses configuration text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> Configuration {
        if let invalid = TOMLPrecheck.firstProblem(in: text) {
            throw ConfigurationError(file: file, key: nil, problem: "not valid TOML at line \(invalid.line): \(invalid.problem)")
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(file: file, key: nil,
                                     problem: "not valid TOML at line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)")
        }
        let reader = TableReader(file: file)
        var configuration = Configuration()
        try reader.allowOnly(root, ["storage", "catalog", "daemon", "serve", "http", "security", "limits", "hub", "rewrite"], at: "")
        try readServe(root, reader: reader, file: file, into: &configuration)

        if let storage = try reader.table(root, "storage", at: "") {
            try reader.allowOnly(storage, ["path", "blob_max_bytes", "lfs", "lfs_max_bytes", "lfs_include", "free_space_reserve", "pack_threshold", "pack_size", "store", "endpoint", "region"], at: "storage")
            if let path = try reader.string(storage, "path", at: "storage") {
                guard !path.isEmpty else { throw ConfigurationError(file: file, key: "storage.path", problem: "expected a folder path, got an empty string") }
                configuration.storage.path = path
                configuration.storage.pathIsSet = true
            }
            if let max = try reader.int(storage, "blob_max_bytes", at: "storage", minimum: 0) { configuration.storage.blobMaxBytes = Int64(max) }
            if let lfs = try reader.string(storage, "lfs", at: "storage") {
                guard ["pointers", "fetch"].contains(lfs) else {
                    throw ConfigurationError(file: file, key: "storage.lfs", problem: "expected \"pointers\" or \"fetch\", got \"\(lfs)\"")
                }
                configuration.storage.lfs = lfs
            }
            if let max = try reader.int(storage, "lfs_max_bytes", at: "storage", minimum: 0) { configuration.storage.lfsMaxBytes = Int64(max) }
            if let include = try reader.strings(storage, "lfs_include", at: "storage") {
                for (index, pattern) in include.enumerated() where pattern.trimmingCharacters(in: .whitespaces).isEmpty {
                    throw ConfigurationError(file: file, key: "storage.lfs_include[\(index)]", problem: "expected a glob pattern such as \"*.safetensors\", got an empty string")
                }
                configuration.storage.lfsInclude = include
            }
            if let reserve = try reader.int(storage, "free_space_reserve", at: "storage", minimum: 0) { configuration.storage.freeSpaceReserve = Int64(reserve) }
            if let threshold = try reader.int(storage, "pack_threshold", at: "storage", minimum: 1) { configuration.storage.packThreshold = Int64(threshold) }
            if let size = try reader.int(storage, "pack_size", at: "storage", minimum: 4096) { configuration.storage.packSize = Int64(size) }
            if let store = try reader.string(storage, "store", at: "storage") {
                do {
                    configuration.storage.store = try StoreLocation(parsing: store)
                } catch {
                    throw ConfigurationError(file: file, key: "storage.store", problem: "\(error)")
                }
            }
            if let endpoint = try reader.string(storage, "endpoint", at: "storage") {
                guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                    throw ConfigurationError(file: file, key: "storage.endpoint", problem: "expected an http:// or https:// URL, got \"\(endpoint)\"")
                }
                configuration.storage.endpoint = endpoint
            }
            if let region = try reader.string(storage, "region", at: "storage") {
                guard !region.isEmpty, region.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
                    throw ConfigurationError(file: file, key: "storage.region", problem: "expected a region name such as \"us-east-1\", got \"\(region)\"")
                }
                configuration.storage.region = region
            }
        }

        if let catalog = try reader.table(root, "catalog", at: "") {
            try reader.allowOnly(catalog, ["url"], at: "catalog")
            if let url = try reader.string(catalog, "url", at: "catalog") {
                do {
                    configuration.catalog = try CatalogLocation(parsing: url)
                } catch let error as CatalogLocationError {
                    throw ConfigurationError(file: file, key: "catalog.url", problem: error.problem)
                }
            }
        }

        if let daemon = try reader.table(root, "daemon", at: "") {
            try reader.allowOnly(daemon, ["interval", "concurrency", "per_host_concurrency", "listen", "min_revisit", "max_revisit",
                                          "park_after", "parked_revisit", "stop_timeout", "visit_timeout", "log_level"], at: "daemon")
            func duration(_ key: String) throws -> TimeInterval? {
                guard let text = try reader.string(daemon, key, at: "daemon") else { return nil }
                guard let seconds = parseDuration(text), seconds > 0 else {
                    throw ConfigurationError(file: file, key: "daemon.\(key)", problem: "expected a duration such as \"30m\", \"6h\" or \"1d\", got \"\(text)\"")
                }
                return seconds
            }
            if let seconds = try duration("interval") { configuration.daemon.interval = seconds }
            if let seconds = try duration("min_revisit") { configuration.daemon.minRevisit = seconds }
            if let seconds = try duration("max_revisit") { configuration.daemon.maxRevisit = seconds }
            if let seconds = try duration("parked_revisit") { configuration.daemon.parkedRevisit = seconds }
            if let seconds = try duration("stop_timeout") { configuration.daemon.stopTimeout = seconds }
            if let seconds = try duration("visit_timeout") { configuration.daemon.visitTimeout = seconds }
            guard configuration.daemon.minRevisit <= configuration.daemon.maxRevisit else {
                throw ConfigurationError(file: file, key: "daemon.min_revisit", problem: "must not be longer than daemon.max_revisit")
            }
            if let n = try reader.int(daemon, "park_after", at: "daemon", minimum: 1) { configuration.daemon.parkAfter = n }
            if let level = try reader.string(daemon, "log_level", at: "daemon") {
                guard Configuration.logLevels.contains(level) else {
                    throw ConfigurationError(file: file, key: "daemon.log_level", problem: "expected one of \(Configuration.logLevels.joined(separator: ", ")), got \"\(level)\"")
                }
                configuration.daemon.logLevel = level
            }
            if let n = try reader.int(daemon, "concurrency", at: "daemon", minimum: 1) { configuration.daemon.concurrency = n }
            if let n = try reader.int(daemon, "per_host_concurrency", at: "daemon", minimum: 1) { configuration.daemon.perHostConcurrency = n }
            if let listen = try reader.string(daemon, "listen", at: "daemon") {
                guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
                    throw ConfigurationError(file: file, key: "daemon.listen", problem: "expected HOST:PORT, got \"\(listen)\"")
                }
                configuration.daemon.listen = listen
            }
        }

        if let http = try reader.table(root, "http", at: "") {
            try reader.allowOnly(http, ["max_attempts", "backoff", "timeout", "connect_timeout", "stall_timeout", "max_pause"], at: "http")
            if let n = try reader.int(http, "max_attempts", at: "http", minimum: 1) { configuration.http.maxAttempts = n }
            let durations: [(String, (Double) -> Void)] = [
                ("backoff", { configuration.http.backoff = $0 }), ("timeout", { configuration.http.timeout = $0 }),
                ("connect_timeout", { configuration.http.connectTimeout = $0 }), ("stall_timeout", { configuration.http.stallTimeout = $0 }),
                ("max_pause", { configuration.http.maxPause = $0 }),
            ]
            for (key, apply) in durations {
                if let text = try reader.string(http, key, at: "http") {
                    guard let seconds = parseDuration(text), seconds > 0 else {
                        throw ConfigurationError(file: file, key: "http.\(key)", problem: "expected a duration such as \"500ms\", \"2s\" or \"5m\", got \"\(text)\"")
                    }
                    apply(seconds)
                }
            }
        }

        if let security = try reader.table(root, "security", at: "") {
            try reader.allowOnly(security, ["allow_networks"], at: "security")
            for (index, text) in (try reader.strings(security, "allow_networks", at: "security") ?? []).enumerated() {
                guard let network = AddressPolicy.Network(text) else {
                    throw ConfigurationError(file: file, key: "security.allow_networks[\(index)]",
                                             problem: "expected an address or a network such as \"10.0.0.0/8\" or \"fd00::/8\", got \"\(text)\"")
                }
                configuration.security.allowedNetworks.append(network)
            }
        }

        if let limits = try reader.table(root, "limits", at: "") {
            try reader.allowOnly(limits, ["listing_bytes", "batch_bytes", "index_bytes", "json_values", "card_bytes", "config_bytes"], at: "limits")
            if let n = try reader.int(limits, "card_bytes", at: "limits", minimum: 1024) { configuration.limits.cardBytes = n }
            if let n = try reader.int(limits, "config_bytes", at: "limits", minimum: 1024) { configuration.limits.configBytes = n }
            if let n = try reader.int(limits, "listing_bytes", at: "limits", minimum: 1024) { configuration.limits.listingBytes = n }
            if let n = try reader.int(limits, "batch_bytes", at: "limits", minimum: 1024) { configuration.limits.batchBytes = n }
            if let n = try reader.int(limits, "index_bytes", at: "limits", minimum: 1024) { configuration.limits.indexBytes = n }
            if let n = try reader.int(limits, "json_values", at: "limits", minimum: 1) { configuration.limits.jsonValues = n }
        }

        for (index, hub) in try reader.tables(root, "hub", at: "").enumerated() {
            configuration.hubs.append(try parseHub(hub, at: "hub[\(index)]", reader: reader))
        }
        var names = Set<String>()
        for (index, hub) in configuration.hubs.enumerated() {
            guard names.insert(hub.name).inserted else {
                throw ConfigurationError(file: file, key: "hub[\(index)].name", problem: "hub name \"\(hub.name)\" is used twice; give each [[hub]] a unique name")
            }
        }

        guard !configuration.hubs.isEmpty else {
            throw ConfigurationError(file: file, key: "hub", problem: "no [[hub]] table: expected at least one hub to archive, such as "
                                     + "[[hub]] with kind = \"git\" and repositories = [\"https://github.com/org/model\"]")
        }

        for (index, rule) in try reader.tables(root, "rewrite", at: "").enumerated() {
            let at = "rewrite[\(index)]"
            try reader.allowOnly(rule, ["prefix", "replacement"], at: at)
            guard let prefix = try reader.string(rule, "prefix", at: at), !prefix.isEmpty else {
                throw ConfigurationError(file: file, key: "\(at).prefix", problem: "missing: expected the URL prefix to replace")
            }
            guard let replacement = try reader.string(rule, "replacement", at: at) else {
                throw ConfigurationError(file: file, key: "\(at).replacement", problem: "missing: expected the text to put instead of the prefix")
            }
            configuration.rewrites.append(Rewrite(prefix: prefix, replacement: replacement))
        }
        return configuration
    }

    private static func parseHub(_ table: TOMLTable, at path: String, reader: TableReader) throws -> Hub {
        let file = reader.file
        guard let kind = try reader.string(table, "kind", at: path) else {
            throw ConfigurationError(file: file, key: "\(path).kind", problem: "missing: expected one of \(hubKinds.joined(separator: ", "))")
        }
        guard hubKinds.contains(kind) else {
            throw ConfigurationError(file: file, key: "\(path).kind", problem: "expected one of \(hubKinds.joined(separator: ", ")), got \"\(kind)\"")
        }
        guard supportedHubKinds.contains(kind), let kindType = try? HubKinds.named(kind) else {
            throw ConfigurationError(file: file, key: "\(path).kind",
                                     problem: "hub kind \"\(kind)\" is not available in this version of sediment (available: \(supportedHubKinds.joined(separator: ", ")))")
        }
        let common = ["kind", "name", "refs", "exclude_refs", "token_file", "token_env", "username"]
        try reader.allowOnly(table, common + kindType.configurationKeys, at: path)
        var hub = Hub(kind: kind, name: try reader.string(table, "name", at: path) ?? kind)
        guard !hub.name.isEmpty, !hub.name.contains(":"), !hub.name.contains(where: { $0.isWhitespace }) else {
            throw ConfigurationError(file: file, key: "\(path).name", problem: "expected a name without spaces or ':', got \"\(hub.name)\"")
        }
        if let refs = try reader.strings(table, "refs", at: path) {
            guard !refs.isEmpty, refs.allSatisfy({ $0.hasPrefix("refs/") }) else {
                throw ConfigurationError(file: file, key: "\(path).refs", problem: "expected ref patterns starting with \"refs/\", such as \"refs/heads/*\"")
            }
            hub.refs = refs
        }
        if let excluded = try reader.strings(table, "exclude_refs", at: path) { hub.excludeRefs = excluded }
        hub.tokenFile = try reader.string(table, "token_file", at: path)
        hub.tokenEnv = try reader.string(table, "token_env", at: path)
        if let user = try reader.string(table, "username", at: path) { hub.username = user }
        try kindType.configure(&hub, from: table, at: path, reader: reader)
        return hub
    }

    /// Why `text` is not a repository git can fetch from, or nil when it is one: a URL
    /// (`https://`, `http://`, `git://`, `ssh://`, `file://`), ssh's `[user@]host:path`, or a
    /// path (it has a `/`: `/srv/git/model.git`, `./model`).
    static func repositoryProblem(_ text: String) -> String? {
        let expected = "expected a repository URL (https://host/org/model, git://…, ssh://…, user@host:org/model) or a path to a git repository"
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return expected + ", got an empty string" }
        if trimmed != text || text.contains(where: { $0.isNewline }) { return expected + ", got \"\(text)\" (with spaces around it)" }
        if let scheme = text.range(of: "://") {
            let name = text[..<scheme.lowerBound].lowercased()
            guard ["http", "https", "git", "ssh", "file"].contains(name) else {
                return expected + ", got \"\(text)\" (sediment fetches over http, https, git, ssh and file, not \(name))"
            }
            let rest = text[scheme.upperBound...]
            let host = rest.prefix { $0 != "/" }
            if name != "file" && (host.isEmpty || host.contains(where: { $0.isWhitespace })) {
                return expected + ", got \"\(text)\" (no host)"
            }
            if text.contains(where: { $0.isWhitespace }) { return expected + ", got \"\(text)\" (a URL has no spaces; write them as %20)" }
            return nil
        }
        if let colon = text.firstIndex(of: ":"), !text[..<colon].contains("/") {
            // ssh's scp-like form: [user@]host:path
            let host = text[..<colon]
            if host.isEmpty || host.contains(where: { $0.isWhitespace }) || text[text.index(after: colon)...].isEmpty {
                return expected + ", got \"\(text)\""
            }
            return nil
        }
        guard text.contains("/") else { return expected + ", got \"\(text)\" (a path has a /, such as ./\(text))" }
        return nil
    }

    /// Parses "500ms", "90s", "30m", "6h", "1d" (or a plain number of seconds).
    public static func parseDuration(_ text: String) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("ms"), let n = Double(trimmed.dropLast(2)) { return n / 1000 }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let unit = trimmed.last, let factor = units[unit], let n = Double(trimmed.dropLast()) { return n * factor }
        return Double(trimmed)
    }
}

/// Reads typed values out of TOML tables, turning every mismatch into a ``ConfigurationError``.
struct TableReader {
    let file: String

    private func key(_ at: String, _ name: String) -> String { at.isEmpty ? name : "\(at).\(name)" }

    func allowOnly(_ table: TOMLTable, _ allowed: [String], at: String) throws {
        for name in table.keys.sorted() where !allowed.contains(name) {
            throw ConfigurationError(file: file, key: key(at, name), problem: "unknown key; expected one of \(allowed.joined(separator: ", "))")
        }
    }

    func table(_ table: TOMLTable, _ name: String, at: String) throws -> TOMLTable? {
        guard let value = table[name] else { return nil }
        guard let result = value.table else { throw ConfigurationError(file: file, key: key(at, name), problem: "expected a table ([\(name)]), got \(value.type)") }
        return result
    }

    func tables(_ table: TOMLTable, _ name: String, at: String) throws -> [TOMLTable] {
        guard let value = table[name] else { return [] }
        guard let array = value.array else { throw ConfigurationError(file: file, key: key(at, name), problem: "expected an array of tables ([[\(name)]]), got \(value.type)") }
        return try array.enumerated().map { index, item in
            guard let t = item.table else { throw ConfigurationError(file: file, key: "\(key(at, name))[\(index)]", problem: "expected a table, got \(item.type)") }
            return t
        }
    }

    func string(_ table: TOMLTable, _ name: String, at: String) throws -> String? {
        guard let value = table[name] else { return nil }
        guard let s = value.string else { throw ConfigurationError(file: file, key: key(at, name), problem: "expected a string, got \(value.type)") }
        return s
    }

    func int(_ table: TOMLTable, _ name: String, at: String, minimum: Int) throws -> Int? {
        guard let value = table[name] else { return nil }
        guard let n = value.int else { throw ConfigurationError(file: file, key: key(at, name), problem: "expected an integer, got \(value.type)") }
        guard n >= minimum else { throw ConfigurationError(file: file, key: key(at, name), problem: "expected an integer of at least \(minimum), got \(n)") }
        return n
    }

    func strings(_ table: TOMLTable, _ name: String, at: String) throws -> [String]? {
        guard let value = table[name] else { return nil }
        guard let array = value.array else { throw ConfigurationError(file: file, key: key(at, name), problem: "expected an array of strings, got \(value.type)") }
        return try array.enumerated().map { index, item in
            guard let s = item.string else { throw ConfigurationError(file: file, key: "\(key(at, name))[\(index)]", problem: "expected a string, got \(item.type)") }
            return s
        }
    }
}

extension TableReader {
    /// The repository URL of setting `key` of the table at `path` (`fallback` when absent),
    /// checked like any repository; `role` says what it is in an error.
    func repository(_ table: TOMLTable, _ key: String, at path: String, fallback: String, role: String) throws -> String {
        let url = try string(table, key, at: path) ?? fallback
        if let problem = Configuration.repositoryProblem(url) {
            throw ConfigurationError(file: file, key: "\(path).\(key)", problem: problem + " (\(role))")
        }
        return url
    }
}
