import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import ServiceLifecycle
import Logging
import SedimentEngine
import SedimentStore

/// `sediment serve`'s settings (`[serve]` in the configuration, flags on the command line).
public struct ServeOptions: Sendable {
    /// `HOST:PORT` (port 0: one the system chooses, printed at start).
    public var listen: String
    /// How often the lists, searches and trends are read again from the catalog.
    public var refreshInterval: TimeInterval
    /// Connections at once; more wait to be accepted.
    public var maxConnections: Int

    public init(listen: String, refreshInterval: TimeInterval = 300, maxConnections: Int = 256) {
        self.listen = listen
        self.refreshInterval = refreshInterval
        self.maxConnections = maxConnections
    }
}

/// The server of `sediment serve`: the Hugging Face–compatible endpoint, the web view, and
/// `/healthz`, `/status` and `/metrics`, on one address. Read-only: nothing it answers
/// changes the archive.
public enum ServeServer {
    /// Serves until SIGTERM or SIGINT. `listening` is told the bound address once it is.
    public static func run(archive: Archive, options: ServeOptions, logger: Logger,
                           listening: @escaping @Sendable (String) -> Void) async throws {
        guard let colon = options.listen.lastIndex(of: ":"), let port = Int(options.listen[options.listen.index(after: colon)...]) else {
            throw ServeError("serve.listen: expected HOST:PORT, got \"\(options.listen)\"")
        }
        let written = String(options.listen[..<colon])
        let host = written.hasPrefix("[") && written.hasSuffix("]") ? String(written.dropFirst().dropLast()) : written
        let index = try await BlockingPool.shared.run { try ArchiveIndex(archive: archive) }
        let metrics = ServeMetrics()
        let responder = ServeResponder(archive: archive, index: index, metrics: metrics, logger: logger)
        let app = Application(
            responder: responder,
            server: .http1(configuration: .init(idleTimeout: .seconds(60))),
            configuration: .init(address: .hostname(host, port: port), serverName: "sediment",
                                 availableConnectionsDelegate: MaximumAvailableConnections(options.maxConnections)),
            services: [IndexRefresh(index: index, interval: options.refreshInterval, logger: logger)],
            onServerRunning: { channel in
                let address = channel.localAddress
                let bound = address?.ipAddress ?? host
                listening((bound.contains(":") ? "[\(bound)]" : bound) + ":\(address?.port ?? port)")
            },
            logger: logger)
        try await app.runService()
    }
}

public struct ServeError: Error, CustomStringConvertible {
    public var description: String
    init(_ text: String) { description = text }
}

/// Reads the catalog again every `interval`, in the background.
private struct IndexRefresh: Service {
    let index: ArchiveIndex
    let interval: TimeInterval
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(nanoseconds: UInt64(max(1, interval) * 1_000_000_000))
                do {
                    try await BlockingPool.shared.run { try index.refresh() }
                } catch {
                    logger.warning("could not read the catalog again; the lists keep their last state", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}

/// What `/metrics` counts.
final class ServeMetrics: @unchecked Sendable {  // @unchecked: `lock` guards every var
    private let lock = NSLock()
    private var requests: [String: Int] = [:]
    private var bytes = 0
    private var failed = 0

    func count(_ kind: String) { lock.withLock { requests[kind, default: 0] += 1 } }
    func sent(_ n: Int) { lock.withLock { bytes += n } }
    func failedTransfer() { lock.withLock { failed += 1 } }

    func text(indexAge: TimeInterval) -> String {
        lock.withLock {
            var out = "# HELP sediment_serve_requests_total Requests answered, by kind.\n# TYPE sediment_serve_requests_total counter\n"
            for (kind, n) in requests.sorted(by: { $0.key < $1.key }) { out += "sediment_serve_requests_total{kind=\"\(kind)\"} \(n)\n" }
            out += "# HELP sediment_serve_file_bytes_total Bytes of archived files sent.\n# TYPE sediment_serve_file_bytes_total counter\nsediment_serve_file_bytes_total \(bytes)\n"
            out += "# HELP sediment_serve_failed_transfers_total File transfers stopped before their end (client gone, or content found damaged).\n# TYPE sediment_serve_failed_transfers_total counter\nsediment_serve_failed_transfers_total \(failed)\n"
            out += "# HELP sediment_serve_index_age_seconds Age of the in-memory lists and trends.\n# TYPE sediment_serve_index_age_seconds gauge\nsediment_serve_index_age_seconds \(String(format: "%.1f", indexAge))\n"
            return out
        }
    }
}
