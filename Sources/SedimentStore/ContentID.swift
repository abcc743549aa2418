import Crypto
import Foundation

/// A SHA-256 content id: what the blob store names files by, and what manifest and snapshot
/// ids are. Held as 64 lowercase hex characters.
public struct ContentID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let hex: String

    /// Parses 64 hex characters (either case).
    public init?(hex: String) {
        let lower = hex.lowercased()
        guard lower.utf8.count == 64, lower.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else { return nil }
        self.hex = lower
    }

    init(digest: SHA256.Digest) {
        hex = digest.map { String(format: "%02x", $0) }.joined()
    }

    /// The id of `bytes`.
    public static func of<D: DataProtocol>(_ bytes: D) -> ContentID {
        ContentID(digest: SHA256.hash(data: bytes))
    }

    /// The id of `buffer`.
    public static func of(buffer: UnsafeRawBufferPointer) -> ContentID {
        ContentID(digest: SHA256.hash(data: buffer))
    }

    /// The first 12 hex characters, for people.
    public var short: String { String(hex.prefix(12)) }
    public var description: String { hex }
    public static func < (a: ContentID, b: ContentID) -> Bool { a.hex < b.hex }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = ContentID(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a SHA-256 hex id: \(text)"))
        }
        self = id
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
