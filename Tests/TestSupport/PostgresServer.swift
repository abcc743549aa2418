import Foundation

/// A PostgreSQL server of its own for a test: `initdb` into a new temporary folder, the
/// postmaster on a free loopback port (and a Unix socket in the folder), stopped by its pid in
/// `stop()`, which removes the folder.
///
/// `initdb` refuses to run as root: as root (CI), the folder is given to `nobody` and both
/// programs run as `nobody` through `setpriv`. The superuser is `sediment`, trusted over the
/// socket and asked for ``password`` over TCP (scram-sha-256). The server is Debian's
/// `postgresql` package, which `make deps` installs.
public final class PostgresServer {
    public let port: Int
    public let user = "sediment"
    /// The superuser's password, for connections over TCP.
    public let password: String
    /// The temporary folder: the cluster in `data/`, the socket, the server's log.
    public let folder: String
    /// The postmaster's process id.
    public let pid: pid_t
    private let process: Process
    private let bin: String
    private var stopped = false

    public var dataDirectory: String { folder + "/data" }
    public var logPath: String { folder + "/server.log" }

    /// The folder of `initdb` and `postgres` (the newest of /usr/lib/postgresql/*/bin), or nil.
    public static func binaries() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "\(root)/\($0)/bin" }.first { bin in
            FileManager.default.isExecutableFile(atPath: bin + "/initdb") && FileManager.default.isExecutableFile(atPath: bin + "/postgres")
        }
    }

    /// Creates the cluster, starts the server and waits (60 s at most) until it answers.
    public init() throws {
        guard let bin = Self.binaries() else {
            throw ServerStartFailure(description: "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run `make deps`, which installs Debian's postgresql")
        }
        self.bin = bin
        folder = try Self.makeFolder()
        password = Self.randomPassword()
        let runAs = try Self.unprivileged(folder: folder)
        do {
            let pwfile = folder + "/pwfile"
            try Data((password + "\n").utf8).write(to: URL(fileURLWithPath: pwfile))
            try runAs.own(pwfile)
            let initdb = try Self.run(runAs.command + [bin + "/initdb", "--pgdata=" + folder + "/data", "--username=sediment",
                                                       "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + pwfile,
                                                       "--encoding=UTF8", "--locale=C", "--no-sync"])
            guard initdb.status == 0 else {
                throw ServerStartFailure(description: "initdb failed (exit \(initdb.status)): \(initdb.output)")
            }
            try? FileManager.default.removeItem(atPath: pwfile)
            port = try MotoServer.freePort()
            _ = FileManager.default.createFile(atPath: folder + "/server.log", contents: nil)
            try runAs.own(folder + "/server.log")
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/server.log"))
            let command = runAs.command + [bin + "/postgres", "-D", folder + "/data", "-k", folder, "-p", String(port),
                                           "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                                           "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                                           "-c", "max_connections=200"]
            process = Process()
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst())
            process.environment = Self.environment
            process.standardOutput = log
            process.standardError = log
            process.standardInput = FileHandle.nullDevice
            try process.run()
            try? log.close()
        } catch {
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
        // setpriv execs postgres: the child is the postmaster.
        pid = process.processIdentifier
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if process.isRunning, (try? psql("SELECT 1", database: "postgres")) != nil { return }
            guard process.isRunning else { break }
            usleep(100_000)
        }
        let log = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? "(no log)"
        stop()
        throw ServerStartFailure(description: "PostgreSQL did not accept connections on 127.0.0.1:\(port) within 60 s; its log:\n\(log)")
    }

    deinit { stop() }

    /// A URL of this server (no password: tests give it in the environment).
    public func url(database: String, sslmode: String = "disable") -> String {
        "postgresql://\(user)@127.0.0.1:\(port)/\(database)?sslmode=\(sslmode)"
    }

    /// Creates a database (owned by `sediment`) and returns its URL.
    @discardableResult
    public func createDatabase(_ name: String, options: String = "") throws -> String {
        try psql("CREATE DATABASE \"\(name.replacingOccurrences(of: "\"", with: "\"\""))\" \(options)", database: "postgres")
        return url(database: name)
    }

    /// Runs SQL as `sediment` over the socket with psql, and returns what it printed
    /// (unaligned, tuples only).
    @discardableResult
    public func psql(_ sql: String, database: String) throws -> String {
        let psql = FileManager.default.isExecutableFile(atPath: bin + "/psql") ? bin + "/psql" : "/usr/bin/psql"
        let result = try Self.run([psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", folder, "-p", String(port),
                                   "-U", user, "-d", database, "-c", sql])
        guard result.status == 0 else {
            throw ServerStartFailure(description: "psql \(database) -c \(sql): \(result.output)")
        }
        return result.output
    }

    /// Stops the postmaster (SIGINT: fast shutdown), waits for it, and removes the folder.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        if process.isRunning {
            kill(pid, SIGINT)
            let deadline = Date().addingTimeInterval(30)
            while process.isRunning && Date() < deadline { usleep(50_000) }
            if process.isRunning {
                kill(pid, SIGQUIT)
                process.waitUntilExit()
            }
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    // MARK: - Helpers

    /// The prefix that runs a command as `nobody` when this process is root, and what gives
    /// a path to that user.
    struct RunAs {
        var command: [String]
        var uid: uid_t?
        var gid: gid_t?

        func own(_ path: String) throws {
            guard let uid, let gid else { return }
            guard chown(path, uid, gid) == 0 else {
                throw ServerStartFailure(description: "chown \(path) to nobody: \(String(cString: strerror(errno)))")
            }
        }
    }

    static func unprivileged(folder: String) throws -> RunAs {
        guard geteuid() == 0 else { return RunAs(command: [], uid: nil, gid: nil) }
        guard let user = getpwnam("nobody") else {
            throw ServerStartFailure(description: "initdb refuses root, and there is no user nobody to run it as")
        }
        let uid = user.pointee.pw_uid
        let gid = getgrnam("nogroup")?.pointee.gr_gid ?? user.pointee.pw_gid
        let runAs: RunAs
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") {
            runAs = RunAs(command: ["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--"], uid: uid, gid: gid)
        } else {
            runAs = RunAs(command: ["/usr/sbin/runuser", "-u", "nobody", "--"], uid: uid, gid: gid)
        }
        try runAs.own(folder)
        return runAs
    }

    static func makeFolder() throws -> String {
        var template = Array("/tmp/sediment-pg-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw ServerStartFailure(description: "mkdtemp: \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }

    static func randomPassword() -> String {
        let letters = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return String((0..<24).map { _ in letters.randomElement()! })
    }

    /// A small, fixed environment: the server must not depend on the test's.
    static var environment: [String: String] {
        ["PATH": "/usr/local/bin:/usr/bin:/bin", "LC_ALL": "C", "LANG": "C", "TZ": "UTC"]
    }

    /// Runs a command to its end and returns its exit status and output (both streams).
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
