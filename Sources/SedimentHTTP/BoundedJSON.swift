import Foundation

/// Reads JSON that a server or a repository Sediment does not control sent: one pass over the
/// bytes counts the document's values and its depth without building anything, and only a
/// document within ``Limits`` is then decoded. A body of a few megabytes of `[{},{},…]` would
/// otherwise become millions of objects, gigabytes of memory.
public enum BoundedJSON {
    /// How much one document may hold.
    public struct Limits: Sendable, Equatable {
        /// Values at most: objects, arrays, strings (keys included), numbers, booleans, nulls.
        /// Every entry of a listing or an index is at least one value, so this bounds entries too.
        public var maxValues: Int
        /// Arrays and objects nested at most this deep.
        public var maxDepth: Int

        public init(maxValues: Int = 2_000_000, maxDepth: Int = 128) {
            self.maxValues = maxValues
            self.maxDepth = maxDepth
        }
    }

    /// A document over a limit, not decoded.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong with the document, in words: "holds more than 2000000 JSON values (limits.json_values)".
        public var problem: String
        public var description: String { problem }
    }

    /// Decodes `data` (as `JSONSerialization` does) once ``check(_:limits:)`` found it within
    /// `limits`; nil when it is not JSON. Throws a ``Refusal`` when it is over a limit.
    public static func parse(_ data: Data, limits: Limits = Limits()) throws -> Any? {
        try check(data, limits: limits)
        return try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }

    /// Throws a ``Refusal`` when `data` holds more values or deeper nesting than `limits`
    /// allow. Reads each byte once and allocates nothing; it does not validate the syntax.
    public static func check(_ data: Data, limits: Limits) throws {
        let outcome: Refusal? = data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Refusal? in
            var values = 0
            var depth = 0
            var inString = false
            var escaped = false
            // Whether the previous byte belongs to a number or a literal (true, false, null).
            var inScalar = false
            for byte in bytes {
                if inString {
                    if escaped {
                        escaped = false
                    } else if byte == UInt8(ascii: "\\") {
                        escaped = true
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                    }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""):
                    inString = true
                    inScalar = false
                    values += 1
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    inScalar = false
                    values += 1
                    depth += 1
                    if depth > limits.maxDepth {
                        return Refusal(problem: "nests arrays and objects deeper than \(limits.maxDepth) levels")
                    }
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    inScalar = false
                    depth -= 1
                case UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                    inScalar = false
                default:
                    if !inScalar {
                        inScalar = true
                        values += 1
                    }
                }
                if values > limits.maxValues {
                    return Refusal(problem: "holds more than \(limits.maxValues) JSON values (limits.json_values)")
                }
            }
            return nil
        }
        if let outcome { throw outcome }
    }
}
