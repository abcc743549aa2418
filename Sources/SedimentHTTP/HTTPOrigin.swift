import CCurl
import Foundation

/// The scheme, host and port of an `http` or `https` URL: the unit a credential is confined to.
///
/// URLs are read by libcurl's own parser (`curl_url`), the one that decides where a request
/// goes, so a URL cannot be read as one origin here and reached at another. The host is
/// compared in lower case; a missing port is the scheme's default (80, 443), so
/// `https://hub.example` and `https://hub.example:443` are one origin while
/// `http://hub.example` and `https://hub.example:8443` are two others.
public struct HTTPOrigin: Hashable, Sendable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int

    /// The origin of `url`; nil when it is not an absolute `http` or `https` URL.
    public init?(url: String) {
        guard let parts = Self.withParsed(url, { handle in
            (Self.part(handle, CURLUPART_SCHEME), Self.part(handle, CURLUPART_HOST), Self.part(handle, CURLUPART_PORT, flags: Self.defaultPort))
        }), let scheme = parts.0?.lowercased(), ["http", "https"].contains(scheme),
           let host = parts.1?.lowercased(), !host.isEmpty, let port = parts.2.flatMap({ Int($0) }) else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    public var description: String { "\(scheme)://\(host):\(port)" }

    /// Whether `url` is on this origin.
    public func contains(_ url: String) -> Bool {
        HTTPOrigin(url: url) == self
    }

    /// `reference` (a `Link` target, absolute or relative) resolved against `base`, as
    /// libcurl resolves a `Location`; nil when the result is not a URL.
    public static func resolve(_ reference: String, against base: String) -> String? {
        withParsed(base) { handle in
            guard curl_url_set(handle, CURLUPART_URL, reference, 0) == CURLUE_OK else { return nil }
            return part(handle, CURLUPART_URL)
        } ?? nil
    }

    /// `CURLU_DEFAULT_PORT`: ask for the scheme's default port when the URL names none.
    private static let defaultPort: UInt32 = 1 << 0

    private static func withParsed<T>(_ url: String, _ body: (OpaquePointer) -> T) -> T? {
        guard let handle = curl_url() else { return nil }
        defer { curl_url_cleanup(handle) }
        guard curl_url_set(handle, CURLUPART_URL, url, 0) == CURLUE_OK else { return nil }
        return body(handle)
    }

    private static func part(_ handle: OpaquePointer, _ which: CURLUPart, flags: UInt32 = 0) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, which, &value, flags) == CURLUE_OK, let value else { return nil }
        defer { curl_free(value) }
        return String(cString: value)
    }
}
