import Foundation
import XCTest

/// The result of a finished process.
struct ProcessResult {
    var status: Int32
    var stdout: Data
    var stderr: String
    var out: String { String(decoding: stdout, as: UTF8.self) }

    /// The stdout's JSON Lines, each parsed into a dictionary.
    var jsonLines: [[String: Any]] {
        out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}

/// Runs programs for the tests: the `git` CLI with an isolated environment, and `sediment`.
enum Shell {
    /// An environment in which `git` ignores the machine's configuration and LFS filters.
    static func gitEnvironment(home: String) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = home
        env["XDG_CONFIG_HOME"] = home + "/.config"
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["GIT_LFS_SKIP_SMUDGE"] = "1"
        env["GIT_TERMINAL_PROMPT"] = "0"
        env["GIT_AUTHOR_NAME"] = "Ann Example"
        env["GIT_AUTHOR_EMAIL"] = "ann@example.org"
        env["GIT_COMMITTER_NAME"] = "Bob Example"
        env["GIT_COMMITTER_EMAIL"] = "bob@example.org"
        return env
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], cwd: String? = nil, env: [String: String]? = nil,
                    input: Data? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        let t0 = Date()
        defer { if ProcessInfo.processInfo.environment["SEDIMENT_TEST_TIMING"] != nil { print("TIMING \(Date().timeIntervalSince(t0)) \(executable) \(arguments.prefix(3))") } }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        if let env { process.environment = env }
        let out = Pipe(), err = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inPipe
        try process.run()
        if let input { inPipe.fileHandleForWriting.write(input) }
        try inPipe.fileHandleForWriting.close()
        // Standard error is read beside standard output, so that neither pipe fills and blocks the process.
        let errors = err.fileHandleForReading
        let errRead = Thread.detachedResult { errors.readDataToEndOfFile() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = errRead.wait()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
    }

    /// The `sediment` binary built next to the test bundle (or `$SEDIMENT_BIN`).
    static var sedimentBinary: String {
        if let path = ProcessInfo.processInfo.environment["SEDIMENT_BIN"] { return path }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("sediment").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        for candidate in Bundle.allBundles.map({ $0.bundleURL.deletingLastPathComponent().appendingPathComponent("sediment").path })
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/sediment").path
    }

    static func which(_ name: String) -> String {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return "/usr/bin/\(name)"
    }
}

/// A temporary folder removed when the test ends.
final class TemporaryFolder {
    let path: String

    init(_ label: String = "sediment-test") throws {
        let template = NSTemporaryDirectory() + "\(label)-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard mkdtemp(&bytes) != nil else { throw NSError(domain: "mkdtemp", code: Int(errno)) }
        path = String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A free TCP port on 127.0.0.1 (bound then released).
func freePort() -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return UInt16(bigEndian: address.sin_port)
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
func isListening(_ port: UInt16) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
}

extension Thread {
    /// Runs `body` on a new thread; the result's ``DetachedResult/wait()`` returns its value.
    static func detachedResult<T: Sendable>(_ body: @escaping @Sendable () -> T) -> DetachedResult<T> {
        let result = DetachedResult<T>()
        detachNewThread { result.set(body()) }
        return result
    }
}

/// A value a thread hands to whoever waits for it.
final class DetachedResult<T: Sendable>: @unchecked Sendable {  // @unchecked: `condition` guards `value`
    private let condition = NSCondition()
    private var value: T?

    func set(_ value: T) {
        condition.lock()
        self.value = value
        condition.broadcast()
        condition.unlock()
    }

    func wait() -> T {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let value { return value }
            condition.wait()
        }
    }
}
