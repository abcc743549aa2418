import CGit2
import Foundation

/// Credentials for HTTPS (user name and token) or SSH (the user's ssh-agent).
public struct GitCredentials: Sendable {
    public var username: String
    public var password: String?

    /// HTTPS basic credentials; `password` is usually a token. Never logged.
    public init(username: String, password: String?) {
        self.username = username
        self.password = password
    }
}

/// How one reference changed in a fetch.
public enum RefUpdateKind: String, Sendable {
    case created, fastForward = "fast-forward", forced, deleted
}

/// One reference change seen by a fetch.
public struct RefUpdate: Sendable, Equatable {
    public var name: String
    public var kind: RefUpdateKind
    /// The previous tip (nil when created).
    public var old: ObjectID?
    /// The new tip (nil when deleted).
    public var new: ObjectID?
}

/// What a fetch did: the refs the remote advertised, its default branch, the updates
/// applied to the mirror, and the transfer statistics.
public struct FetchResult: Sendable {
    /// Every ref the remote advertised that matches the fetch patterns, peeled `^{}` entries excluded.
    public var remoteRefs: [String: ObjectID]
    /// The branch the remote's HEAD points at, when it said.
    public var defaultBranch: String?
    public var updates: [RefUpdate]
    public var receivedObjects: Int
    public var receivedBytes: Int
    public var indexedObjects: Int
}

/// A progress report during a fetch.
public struct FetchProgress: Sendable {
    public var receivedObjects: Int
    public var totalObjects: Int
    public var receivedBytes: Int
}

/// Which refs a mirror follows: glob patterns such as `refs/heads/*`, plus exclusions.
public struct RefPatterns: Sendable, Equatable {
    public var include: [String]
    public var exclude: [String]

    /// Heads and tags, without the forge-generated refs nobody pushed.
    public static let `default` = RefPatterns(include: ["refs/heads/*", "refs/tags/*"], exclude: [])

    /// Refs a forge generates (merge previews, pipelines, reviews); never followed.
    public static let alwaysExcluded = ["refs/pull/*/merge", "refs/merge-requests/*/merge", "refs/pipelines/*", "refs/changes/*"]

    public init(include: [String], exclude: [String]) {
        self.include = include
        self.exclude = exclude
    }

    public func matches(_ name: String) -> Bool {
        if name.hasSuffix("^{}") { return false }
        if (exclude + Self.alwaysExcluded).contains(where: { Glob.matches($0, name) }) { return false }
        return include.contains { Glob.matches($0, name) }
    }

    /// The forced refspecs that map every included ref onto itself.
    var refspecs: [String] { include.map { "+\($0):\($0)" } }
}

/// Minimal glob matching for ref patterns: `*` matches any run of characters (including `/`).
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.utf8), t = Array(text.utf8)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == UInt8(ascii: "*") {
                star = pi; mark = ti; pi += 1
            } else if pi < p.count, p[pi] == UInt8(ascii: "?") || p[pi] == t[ti] {
                pi += 1; ti += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}

/// A flag another thread raises to stop work in progress (a fetch aborts at its next
/// progress report, leaving the mirror as it was).
public final class CancellationFlag: @unchecked Sendable {  // @unchecked: `lock` guards `raised`
    private let lock = NSLock()
    private var raised = false

    public init() {}

    public func raise() {
        lock.lock()
        raised = true
        lock.unlock()
    }

    public var isRaised: Bool {
        lock.lock()
        defer { lock.unlock() }
        return raised
    }
}

/// State shared with libgit2's callbacks during one fetch.
private final class FetchContext {
    let credentials: GitCredentials?
    let progress: ((FetchProgress) -> Void)?
    let cancellation: CancellationFlag?
    var credentialAttempts = 0
    var lastReport = 0
    /// Where the fetch is, for a timeout's error: the pack phase begins with the server's first
    /// progress message or the pack's first data, whichever libgit2 reports first.
    var phase = TransferPhase.negotiate

    init(credentials: GitCredentials?, progress: ((FetchProgress) -> Void)?, cancellation: CancellationFlag?) {
        self.credentials = credentials
        self.progress = progress
        self.cancellation = cancellation
    }
}

extension Repository {
    /// Fetches `url` into this mirror: connects, lists the remote's refs, downloads what is
    /// missing, then updates the refs matching `patterns` (forced). Refs that vanished
    /// upstream are reported as `deleted` but *not* removed here: the caller keeps them as
    /// lost refs first. Nothing is changed when the transfer fails.
    ///
    /// `limits` bound the waits on the server; when one stops the fetch it throws
    /// ``TransferTimeout`` naming the URL and the phase. A raised `cancellation` stops it within
    /// a fraction of a second, even while the server sends nothing.
    public func fetch(
        url: String,
        patterns: RefPatterns,
        credentials: GitCredentials? = nil,
        progress: ((FetchProgress) -> Void)? = nil,
        cancellation: CancellationFlag? = nil,
        limits: TransferLimits = TransferLimits()
    ) throws -> FetchResult {
        let shownURL = GitURL.redacted(url)
        let before = try references(prefixes: ["refs/"]).filter { patterns.matches($0.key) }
        let context = FetchContext(credentials: credentials, progress: progress, cancellation: cancellation)
        let watch = TransferWatch(limits: limits, shouldStop: cancellation.map { flag in { flag.isRaised } })
        if watch.deadlinePassed { throw TransferTimeout(limit: .deadline, phase: .connect, url: shownURL) }
        // Installed before the remote exists and removed after it is freed: its streams point at it.
        watch.begin()
        defer { watch.end() }
        do {
            return try withExtendedLifetime(watch) {
                try transfer(url: url, shownURL: shownURL, patterns: patterns, before: before, context: context)
            }
        } catch {
            if let timeout = watch.timeout(phase: context.phase, url: shownURL) { throw timeout }
            if let reason = watch.refusal { throw TransferRefused(url: shownURL, reason: reason) }
            throw error
        }
    }

    private func transfer(url: String, shownURL: String, patterns: RefPatterns, before: [String: ObjectID],
                          context: FetchContext) throws -> FetchResult {
        var remote: OpaquePointer?
        // An anonymous remote that skips `url.*.insteadOf`: only Sediment's own [[rewrite]]
        // rules apply. Skipping it also avoids a leak: libgit2 1.5 with PCRE2 loses the match
        // data of every config regex it runs there (about 120 KB a fetch).
        var options = git_remote_create_options()
        git_remote_create_options_init(&options, UInt32(GIT_REMOTE_CREATE_OPTIONS_VERSION))
        options.repository = handle
        options.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF.rawValue | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC.rawValue
        try check(git_remote_create_with_opts(&remote, url, &options), "fetch", shownURL)
        defer { git_remote_free(remote) }

        let payload = Unmanaged.passUnretained(context).toOpaque()
        var callbacks = git_remote_callbacks()
        git_remote_init_callbacks(&callbacks, UInt32(GIT_REMOTE_CALLBACKS_VERSION))
        callbacks.payload = payload
        callbacks.credentials = { out, _, usernameFromURL, allowed, payload in
            let context = Unmanaged<FetchContext>.fromOpaque(payload!).takeUnretainedValue()
            context.credentialAttempts += 1
            if context.credentialAttempts > 1 {
                git_error_set_str(Int32(GIT_ERROR_NET.rawValue), "authentication failed (credentials rejected)")
                return GIT_EAUTH.rawValue
            }
            if allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0, let creds = context.credentials, let password = creds.password {
                return git_credential_userpass_plaintext_new(out, creds.username, password)
            }
            if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 {
                let user = usernameFromURL.map { String(cString: $0) } ?? context.credentials?.username ?? "git"
                return git_credential_ssh_key_from_agent(out, user)
            }
            git_error_set_str(Int32(GIT_ERROR_NET.rawValue), "authentication required but no credentials are configured")
            return GIT_EAUTH.rawValue
        }
        // The server's own progress messages arrive before any object: a chance to stop early.
        callbacks.sideband_progress = { _, _, payload in
            guard let payload else { return 0 }
            let context = Unmanaged<FetchContext>.fromOpaque(payload).takeUnretainedValue()
            // Negotiation is over: the server reports on building and sending the pack.
            context.phase = .receivePack
            if context.cancellation?.isRaised == true {
                git_error_set_str(Int32(GIT_ERROR_CALLBACK.rawValue), "cancelled")
                return -1
            }
            return 0
        }
        callbacks.transfer_progress = { stats, payload in
            guard let stats, let payload else { return 0 }
            let context = Unmanaged<FetchContext>.fromOpaque(payload).takeUnretainedValue()
            // Called first when the pack's header has arrived.
            context.phase = .receivePack
            if context.cancellation?.isRaised == true {
                git_error_set_str(Int32(GIT_ERROR_CALLBACK.rawValue), "cancelled")
                return -1
            }
            guard let report = context.progress else { return 0 }
            let received = Int(stats.pointee.received_objects)
            let total = Int(stats.pointee.total_objects)
            if received == total || received - context.lastReport >= 256 {
                context.lastReport = received
                report(FetchProgress(receivedObjects: received, totalObjects: total, receivedBytes: Int(stats.pointee.received_bytes)))
            }
            return 0
        }

        var proxy = git_proxy_options()
        git_proxy_options_init(&proxy, UInt32(GIT_PROXY_OPTIONS_VERSION))
        try check(git_remote_connect(remote, GIT_DIRECTION_FETCH, &callbacks, &proxy, nil), "connect", shownURL)
        defer { git_remote_disconnect(remote) }

        // What the remote has.
        var heads: UnsafeMutablePointer<UnsafePointer<git_remote_head>?>?
        var count = 0
        try check(git_remote_ls(&heads, &count, remote), "list remote refs", shownURL)
        var remoteRefs: [String: ObjectID] = [:]
        for index in 0..<count {
            guard let head = heads?[index]?.pointee else { continue }
            let name = String(cString: head.name)
            if patterns.matches(name) { remoteRefs[name] = ObjectID(head.oid) }
        }
        var defaultBranch: String?
        var buf = git_buf()
        if git_remote_default_branch(&buf, remote) == 0, let ptr = buf.ptr {
            defaultBranch = String(cString: ptr)
        } else {
            git_error_clear()
        }
        git_buf_dispose(&buf)

        // Download only when some wanted tip is missing locally.
        var stats = (objects: 0, bytes: 0, indexed: 0)
        let wanted = remoteRefs.filter { before[$0.key] != $0.value }
        if !wanted.isEmpty {
            var options = git_fetch_options()
            git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
            options.callbacks = callbacks
            options.prune = GIT_FETCH_NO_PRUNE
            options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
            options.update_fetchhead = 0
            let specs = patterns.refspecs
            _ = try withStrArray(specs) { array in
                try check(git_remote_download(remote, &array, &options), "fetch", shownURL)
            }
            if let s = git_remote_stats(remote) {
                stats = (Int(s.pointee.received_objects), Int(s.pointee.received_bytes), Int(s.pointee.indexed_objects))
            }
            // Apply the advertised tips ourselves: exactly the refs matching the patterns.
            for (name, target) in wanted.sorted(by: { $0.key < $1.key }) {
                try setReference(name, to: target, message: "sediment: fetch \(shownURL)")
            }
        }

        var updates: [RefUpdate] = []
        for (name, target) in remoteRefs.sorted(by: { $0.key < $1.key }) {
            guard let old = before[name] else {
                updates.append(RefUpdate(name: name, kind: .created, old: nil, new: target))
                continue
            }
            guard old != target else { continue }
            let ff = peelToCommit(old).flatMap { o in peelToCommit(target).map { isDescendant($0, of: o) } } ?? false
            updates.append(RefUpdate(name: name, kind: ff ? .fastForward : .forced, old: old, new: target))
        }
        for (name, old) in before.sorted(by: { $0.key < $1.key }) where remoteRefs[name] == nil {
            updates.append(RefUpdate(name: name, kind: .deleted, old: old, new: nil))
        }
        return FetchResult(
            remoteRefs: remoteRefs, defaultBranch: defaultBranch, updates: updates,
            receivedObjects: stats.objects, receivedBytes: stats.bytes, indexedObjects: stats.indexed)
    }
}

/// Calls `body` with a `git_strarray` view of `strings`.
func withStrArray<T>(_ strings: [String], _ body: (inout git_strarray) throws -> T) rethrows -> T {
    let pointers = strings.map { strdup($0) }
    defer { pointers.forEach { free($0) } }
    var mutable = pointers
    return try mutable.withUnsafeMutableBufferPointer { buffer in
        var array = git_strarray(strings: buffer.baseAddress, count: strings.count)
        return try body(&array)
    }
}
