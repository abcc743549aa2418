import Foundation
import TOMLKit

extension Configuration {
    /// `sediment serve`'s settings (`[serve]`).
    public struct Serve: Sendable {
        /// Address of the Hugging Face–compatible endpoint and the web view.
        public var listen: String = "127.0.0.1:8790"
        /// How often the package lists, searches and trends are read again from the catalog.
        public var refresh: TimeInterval = 300
        /// Connections at once; more wait to be accepted.
        public var maxConnections: Int = 256

        public init() {}
    }

    static func readServe(_ root: TOMLTable, reader: TableReader, file: String, into configuration: inout Configuration) throws {
        guard let serve = try reader.table(root, "serve", at: "") else { return }
        try reader.allowOnly(serve, ["listen", "refresh", "max_connections"], at: "serve")
        if let listen = try reader.string(serve, "listen", at: "serve") {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
                throw ConfigurationError(file: file, key: "serve.listen", problem: "expected HOST:PORT, got \"\(listen)\"")
            }
            configuration.serve.listen = listen
        }
        if let text = try reader.string(serve, "refresh", at: "serve") {
            guard let seconds = parseDuration(text), seconds > 0 else {
                throw ConfigurationError(file: file, key: "serve.refresh", problem: "expected a duration such as \"30s\" or \"5m\", got \"\(text)\"")
            }
            configuration.serve.refresh = seconds
        }
        if let n = try reader.int(serve, "max_connections", at: "serve", minimum: 1) { configuration.serve.maxConnections = n }
    }
}
