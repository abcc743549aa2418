import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// The daemon's HTTP endpoint on `daemon.listen`: `/metrics` (Prometheus text format),
/// `/healthz` and `/status` (JSON). GET and HEAD only; it serves reads, never changes the archive.
public final class StatusServer: @unchecked Sendable {
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
    public static func start(listen: String, routes: @escaping Routes) throws -> StatusServer {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
            throw StatusServerError(listen: listen, problem: "expected HOST:PORT")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        // One thread: answers are small, and a slow catalog read delays only other requests.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                    channel.pipeline.addHandler(RouteHandler(routes: routes))
                }
            }
        do {
            let channel = try bootstrap.bind(host: host, port: port).wait()
            return StatusServer(group: group, channel: channel)
        } catch {
            try? group.syncShutdownGracefully()
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
    public func stop() {
        _ = try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

public struct StatusServerError: Error, CustomStringConvertible {
    public var listen: String
    public var problem: String
    public var description: String { "daemon.listen \"\(listen)\": \(problem)" }
}

private final class RouteHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: StatusServer.Routes
    private var head: HTTPRequestHead?

    init(routes: @escaping StatusServer.Routes) {
        self.routes = routes
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
                done.whenComplete { _ in context.close(promise: nil) }
            }
        }
    }
}
