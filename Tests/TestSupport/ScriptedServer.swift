import Foundation

/// `Tests/Support/scripted_http_server.py` on a free loopback port, stopped by `stop()` or
/// when released. The HTTP client's, the git fetch's and the integration tests share it.
public final class ScriptedServer {
    private let script: LoopbackScript
    public var port: String { script.port }
    public var base: String { "http://127.0.0.1:\(port)" }

    /// Starts the server and waits (10 s at most) for the port it chose; its port file goes
    /// in `scratch` (a new temporary folder when nil).
    public init(scratch: String? = nil) throws {
        script = try LoopbackScript("scripted_http_server.py", scratch: scratch)
    }

    public func stop() {
        script.stop()
    }
}
