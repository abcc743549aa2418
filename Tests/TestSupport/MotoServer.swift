import Foundation

/// Errors of the test servers.
public struct ServerStartFailure: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// `moto_server` (moto's standalone S3 imitation, from PyPI) on a free loopback port, stopped
/// by its pid in `stop()`.
public final class MotoServer {
    public let port: Int
    private let process: Process
    private var stopped = false
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Where `moto_server` is: on the PATH, or pyenv's shims.
    public static func executable() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/root/.pyenv/shims", "/usr/local/bin"]
        return folders.map { $0 + "/moto_server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts the server (with `environment` added to this process's) and waits (30 s at
    /// most) until it answers.
    public init(environment: [String: String] = [:]) throws {
        guard let executable = Self.executable() else {
            throw ServerStartFailure(description: "moto_server is not installed (it is moto's standalone server, from PyPI): `make deps` installs it")
        }
        port = try Self.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if Self.answers(port) { return }
            guard process.isRunning else { break }
            usleep(100_000)
        }
        stop()
        throw ServerStartFailure(description: "moto_server did not answer on 127.0.0.1:\(port) within 30 s")
    }

    public func stop() {
        guard !stopped else { return }
        stopped = true
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    deinit { stop() }

    /// A port the system had free a moment ago.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ServerStartFailure(description: "no free loopback port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts connections on the port.
    public static func answers(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// `Tests/Support/s3_fault_proxy.py` in front of a moto server, in one of its modes.
public final class FaultProxy {
    private let script: LoopbackScript
    public var endpoint: String { "http://127.0.0.1:\(script.port)" }

    /// `extra`: more arguments (`--match`, `--hold-file` of the `hold-upload` mode).
    public init(upstream: Int, mode: String, count: Int? = nil, skip: Int = 0, extra: [String] = []) throws {
        script = try LoopbackScript("s3_fault_proxy.py", arguments: ["--upstream", String(upstream), "--mode", mode, "--skip", String(skip)]
            + (count.map { ["--count", String($0)] } ?? []) + extra)
    }

    public func stop() {
        script.stop()
    }
}

