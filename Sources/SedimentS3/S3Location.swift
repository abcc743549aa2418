import Foundation
import SedimentRedaction

/// Where an archive's store lies in object storage: a bucket and a key prefix, written
/// `s3://BUCKET/PREFIX` (the prefix may be empty: `s3://BUCKET`).
///
///     let location = try S3Location(parsing: "s3://archive/sediment")
///     location.key("packs/ab/….pack")   // "sediment/packs/ab/….pack"
public struct S3Location: Sendable, Equatable, CustomStringConvertible {
    public let bucket: String
    /// The prefix, without a leading or trailing `/`; empty for the whole bucket.
    public let prefix: String

    public init(bucket: String, prefix: String = "") throws {
        try Self.checkBucket(bucket)
        let trimmed = prefix.split(separator: "/", omittingEmptySubsequences: false)
        var segments = trimmed[...]
        while segments.first == "" { segments = segments.dropFirst() }
        while segments.last == "" { segments = segments.dropLast() }
        for segment in segments {
            guard !segment.isEmpty, segment != ".", segment != ".." else {
                throw S3LocationError(text: "s3://\(bucket)/\(prefix)", problem: "the prefix has an empty, \".\" or \"..\" segment")
            }
            guard segment.utf8.allSatisfy(Self.isKeyByte) else {
                throw S3LocationError(text: "s3://\(bucket)/\(prefix)", problem: "only letters, digits, \".\", \"_\", \"-\" and \"/\" may appear in the prefix")
            }
        }
        self.bucket = bucket
        self.prefix = segments.joined(separator: "/")
    }

    /// Reads `s3://BUCKET/PREFIX`.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("s3://") else {
            throw S3LocationError(text: text, problem: "an object storage location starts with s3://")
        }
        let rest = trimmed.dropFirst(5)
        guard !rest.contains("?"), !rest.contains("#"), !rest.contains("@") else {
            throw S3LocationError(text: text, problem: "it may hold no query, fragment or credentials (credentials come from the environment)")
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let bucket = String(rest[..<slash])
        guard !bucket.isEmpty else { throw S3LocationError(text: text, problem: "no bucket name after s3://") }
        let prefix = slash < rest.endIndex ? String(rest[rest.index(after: slash)...]) : ""
        do {
            try self.init(bucket: bucket, prefix: prefix)
        } catch let error as S3LocationError {
            throw S3LocationError(text: text, problem: error.problem)
        }
    }

    /// The key of `name` (a path relative to the store) under the prefix.
    public func key(_ name: String) -> String {
        prefix.isEmpty ? name : prefix + "/" + name
    }

    public var description: String {
        prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)"
    }

    static func isKeyByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    /// S3's rules for bucket names: 3 to 63 lowercase letters, digits, dots and hyphens,
    /// starting and ending with a letter or digit.
    static func checkBucket(_ bucket: String) throws {
        let bytes = Array(bucket.utf8)
        func alphanumeric(_ byte: UInt8) -> Bool { (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7A) }
        guard (3...63).contains(bytes.count) else {
            throw S3LocationError(text: "s3://\(bucket)", problem: "a bucket name has 3 to 63 characters, not \(bytes.count)")
        }
        guard bytes.allSatisfy({ alphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }),
              alphanumeric(bytes.first!), alphanumeric(bytes.last!) else {
            throw S3LocationError(text: "s3://\(bucket)", problem: "a bucket name is lowercase letters, digits, \".\" and \"-\", starting and ending with a letter or digit")
        }
    }
}

/// A store location that cannot be an S3 one: the text and what is wrong with it.
public struct S3LocationError: Error, CustomStringConvertible {
    public let text: String
    public let problem: String

    public var description: String { "\"\(Redaction.url(text))\" is not a usable s3:// location: \(problem)" }
}
