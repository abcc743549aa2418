import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// The daemon's HTTP endpoint on `daemon.listen`: `/metrics` (Prometheus text format),
/// `/healthz` and `/status` (JSON). GET and HEAD only; it serves reads, never changes the archive.
///
/// Bounded, so that clients cannot take the descriptors the visits need: at most
/// ``Limits/maxConnections`` connections at once (one more is closed as soon as it is
/// accepted), a connection that sends nothing for ``Limits/idleTimeout`` is closed, and one that
/// does not complete a request within ``Limits/requestTimeout`` of opening (or of its previous
/// answer) is closed however slowly it trickles bytes.
public final class StatusServer: Sendable {
    /// The endpoint's bounds on its clients.
    public struct Limits: Sendable {
        public var maxConnections = 64
        public var idleTimeout: TimeInterval = 10
        public var requestTimeout: TimeInterval = 15

        public init() {}
    }

    /// One answer: status code, content type and body.
    public struct Response: Sendable {
        public var status: Int
        public var contentType: String
        public var body: String

        public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: String) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }
    }

    public typealias Routes = @Sendable (_ path: String) -> Response

    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    /// The address actually bound (the port is chosen by the system when `listen` says 0).
    public let boundAddress: String

    private init(group: MultiThreadedEventLoopGroup, channel: Channel) {
        self.group = group
        self.channel = channel
        let address = channel.localAddress
        let host = address?.ipAddress ?? "?"
        boundAddress = (host.contains(":") ? "[\(host)]" : host) + ":\(address?.port ?? 0)"
    }

    /// Binds `listen` (`HOST:PORT`, `[V6]:PORT`) and starts serving `routes`.
    public static func start(listen: String, limits: Limits = Limits(), routes: @escaping Routes) async throws -> StatusServer {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
            throw StatusServerError(listen: listen, problem: "expected HOST:PORT")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        // One thread: answers are small, and a slow catalog read delays only other requests.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let connections = ConnectionCount(limit: max(1, limits.maxConnections))
        let idle = TimeAmount.milliseconds(Int64(limits.idleTimeout * 1000))
        let request = TimeAmount.milliseconds(Int64(limits.requestTimeout * 1000))
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                // Beyond the cap, the connection is closed at once: its descriptor is freed.
                guard connections.enter() else { return channel.eventLoop.makeFailedFuture(ConnectionCapReached()) }
                channel.closeFuture.whenComplete { _ in connections.leave() }
                // The initializer runs on the channel's event loop: the pipeline is set up in place.
                do {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(IdleStateHandler(readTimeout: idle))
                    try pipeline.addHandler(IdleCloser())
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(RouteHandler(routes: routes, requestTimeout: request))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        do {
            let channel = try await bootstrap.bind(host: host, port: port).get()
            return StatusServer(group: group, channel: channel)
        } catch {
            try? await group.shutdownGracefully()
            throw StatusServerError(listen: listen, problem: "cannot listen on \(host):\(port): \(Self.cause(error, host: host, port: port))")
        }
    }

    /// Why binding failed, in words (never NIO's `bind(descriptor:ptr:bytes:)` text).
    static func cause(_ error: Error, host: String, port: Int) -> String {
        if let io = error as? IOError {
            switch io.errnoCode {
            case EADDRINUSE: return "the address is already in use (another process listens on port \(port)); stop it, or set another daemon.listen"
            case EADDRNOTAVAIL: return "no network interface of this machine has the address \(host)"
            case EACCES: return "permission denied (ports below 1024 need privileges)"
            default: return String(cString: strerror(io.errnoCode))
            }
        }
        if error is SocketAddressError { return "\(host) is neither an IP address nor a name that resolves" }
        return "\(error)"
    }

    /// Stops listening and closes open connections.
    public func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

public struct StatusServerError: Error, CustomStringConvertible {
    public var listen: String
    public var problem: String
    public var description: String { "daemon.listen \"\(listen)\": \(problem)" }
}

/// Why a connection beyond the cap was closed at once (NIO closes a child channel whose
/// initializer fails).
private struct ConnectionCapReached: Error {}

/// The endpoint's open connections, against its cap. Used on the endpoint's one event loop.
private final class ConnectionCount: @unchecked Sendable {  // @unchecked: `lock` guards `open`
    private let lock = NSLock()
    private var open = 0
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Counts one more connection; false (and not counted) when the cap is reached.
    func enter() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard open < limit else { return false }
        open += 1
        return true
    }

    func leave() {
        lock.lock()
        open -= 1
        lock.unlock()
    }
}

/// Closes a connection that sent nothing for the idle timeout (``IdleStateHandler``'s event).
private final class IdleCloser: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}

/// Answers the requests of one connection, on the connection's event loop (NIO handlers are
/// not `Sendable`: what leaves the loop goes through `NIOLoopBound`).
private final class RouteHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: StatusServer.Routes
    private var head: HTTPRequestHead?
    /// How long a connection has to send a complete request, from its opening or its previous answer.
    private let requestTimeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(routes: @escaping StatusServer.Routes, requestTimeout: TimeAmount) {
        self.routes = routes
        self.requestTimeout = requestTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        armDeadline(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    /// Closes the connection unless a complete request arrives within the request timeout: a
    /// client that trickles its header a byte at a time never resets it.
    private func armDeadline(_ context: ChannelHandlerContext) {
        deadline?.cancel()
        let connection = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: requestTimeout) {
            connection.value.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head else { return }
            self.head = nil
            // The next request (on a kept-alive connection) gets its own time.
            armDeadline(context)
            let response: StatusServer.Response
            if head.method == .GET || head.method == .HEAD {
                let path = String(head.uri.split(separator: "?", maxSplits: 1).first ?? "/")
                response = routes(path)
            } else {
                response = StatusServer.Response(status: 405, body: "only GET and HEAD\n")
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: response.contentType)
            headers.add(name: "Content-Length", value: "\(response.body.utf8.count)")
            headers.add(name: "Cache-Control", value: "no-store")
            if response.status == 405 { headers.add(name: "Allow", value: "GET, HEAD") }
            let keepAlive = head.isKeepAlive
            headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
            let responseHead = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
            context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
            if head.method != .HEAD {
                var buffer = context.channel.allocator.buffer(capacity: response.body.utf8.count)
                buffer.writeString(response.body)
                context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            }
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive {
                let connection = NIOLoopBound(context, eventLoop: context.eventLoop)
                done.whenComplete { _ in connection.value.close(promise: nil) }
            }
        }
    }
}
