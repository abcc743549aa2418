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
        self.init(bytes: digest)
    }

    /// The id whose 32 raw bytes are `bytes` (as a pack's trailer holds it); nil unless 32 bytes.
    public init?<C: Collection>(raw bytes: C) where C.Element == UInt8 {
        guard bytes.count == 32 else { return nil }
        self.init(bytes: bytes)
    }

    private init<S: Sequence>(bytes: S) where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        hex = String(decoding: text, as: UTF8.self)
    }

    /// The 32 raw bytes of the id.
    public var raw: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var high: UInt8 = 0
        for (i, c) in hex.utf8.enumerated() {
            let value = c <= 57 ? c - 48 : c - 87
            if i % 2 == 0 { high = value } else { bytes.append(high << 4 | value) }
        }
        return bytes
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
