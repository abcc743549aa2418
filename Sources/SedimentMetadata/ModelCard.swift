import Foundation
import SedimentStore
import SedimentText

/// A model card: the `README.md` of a package, whose YAML front matter (between a first line
/// `---` and the next `---`) holds its structured fields (license, tags, datasets, …).
public struct ModelCard: Sendable {
    /// The front matter's top-level fields as JSON-compatible values; nil without front matter.
    public let fields: [String: JSONCompatible]?
    /// Why the front matter could not be read, when it could not (the card is kept anyway).
    public let problem: String?
    /// The card's size in bytes.
    public let bytes: Int
    /// Whether any text follows the front matter.
    public let hasBody: Bool
    /// The Markdown headings of the text after the front matter (ATX headings, `#` to
    /// `######`, outside fenced code), in order, as their text; empty when the card is not
    /// read (not UTF-8, or over ``maximumBytes``).
    public private(set) var sections: [String] = []

    /// Cards over this size are not parsed (a README that is really a data dump).
    public static let maximumBytes = 1 << 20
    /// The default bounds of the front matter's YAML (size, nesting, nodes with aliases expanded).
    public static let yamlLimits = BoundedYAML.Limits(maxBytes: 256 << 10, maxDepth: 64, maxNodes: 200_000)

    /// Reads a card; its front matter is refused beyond `yamlLimits` (`[limits] card_bytes`).
    public init(_ data: Data, yamlLimits: BoundedYAML.Limits = ModelCard.yamlLimits) {
        bytes = data.count
        guard data.count <= Self.maximumBytes else {
            (fields, problem, hasBody) = (nil, "the card is \(data.count) bytes, over \(Self.maximumBytes)", true)
            return
        }
        guard let text = TextLines.decode(data) else {
            (fields, problem, hasBody) = (nil, "the card is not UTF-8 text", !data.isEmpty)
            return
        }
        guard let frontMatter = FrontMatter(text) else {
            let unclosed = FrontMatter.opens(text)
            (fields, problem) = (nil, unclosed ? "the front matter opened by --- on the first line is never closed" : nil)
            hasBody = !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            if !unclosed { sections = Self.headings(text) }
            return
        }
        hasBody = !frontMatter.body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        sections = Self.headings(frontMatter.body)
        do {
            let loaded = try BoundedYAML.load(frontMatter.yaml, limits: yamlLimits)
            if loaded == nil {
                (fields, problem) = ([:], nil)
            } else if let mapping = JSONCompatible(yaml: loaded!), case .object(let object) = mapping {
                (fields, problem) = (object, nil)
            } else {
                (fields, problem) = (nil, "the front matter is not a mapping")
            }
        } catch let refusal as BoundedYAML.Refusal {
            (fields, problem) = (nil, "the front matter \(refusal.predicate)")
        } catch {
            (fields, problem) = (nil, "the front matter could not be read: \(error)")
        }
    }
}

extension ModelCard {
    /// The ATX headings of Markdown `text` outside fenced code blocks, as their text.
    static func headings(_ text: String) -> [String] {
        var result: [String] = []
        var fence: String?
        for line in TextLines.lines(of: text) {
            let trimmed = line.drop { $0 == " " }
            guard line.count - trimmed.count < 4 else { continue }
            for marker in ["```", "~~~"] where trimmed.hasPrefix(marker) {
                if fence == nil { fence = marker } else if fence == marker { fence = nil }
            }
            guard fence == nil, trimmed.hasPrefix("#") else { continue }
            let level = trimmed.prefix { $0 == "#" }.count
            let rest = trimmed.dropFirst(level)
            guard level <= 6, rest.isEmpty || rest.first == " " || rest.first == "\t" else { continue }
            var title = rest.trimmingCharacters(in: .whitespaces)
            while title.hasSuffix("#") { title.removeLast() }
            title = title.trimmingCharacters(in: .whitespaces)
            if !title.isEmpty { result.append(title) }
        }
        return result
    }
}

/// A `config.json`: its top-level keys.
public struct ModelConfig: Sendable {
    public let fields: [String: JSONCompatible]?
    public let problem: String?

    /// Configs over this size are not parsed (real ones are a few KB; the largest, with
    /// embedded vocabularies, a few hundred).
    public static let maximumBytes = 4 << 20

    /// Reads a config of at most `maximumBytes` (`[limits] config_bytes`).
    public init(_ data: Data, maximumBytes: Int = ModelConfig.maximumBytes) {
        guard data.count <= maximumBytes else {
            (fields, problem) = (nil, "config.json is \(data.count) bytes, over \(maximumBytes) (limits.config_bytes)")
            return
        }
        // Foundation's parser refuses deep nesting itself, without overflowing the stack (tested at 100,000 levels).
        guard let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            (fields, problem) = (nil, "config.json is not valid JSON")
            return
        }
        guard let object = value as? [String: Any], case .object(let fields)? = JSONCompatible(json: object) else {
            (fields, problem) = (nil, "config.json is not a JSON object")
            return
        }
        (self.fields, problem) = (fields, nil)
    }
}

/// A value that JSON can hold, decoded from YAML or JSON; compares and prints canonically.
public indirect enum JSONCompatible: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONCompatible])
    case object([String: JSONCompatible])

    init?(yaml value: Any) {
        switch value {
        case let map as [String: Any]: self = .object(map.compactMapValues { JSONCompatible(yaml: $0) })
        case let map as [AnyHashable: Any]:
            self = .object(Dictionary(map.compactMap { key, value in JSONCompatible(yaml: value).map { ("\(key)", $0) } },
                                      uniquingKeysWith: { a, _ in a }))
        case let list as [Any]: self = .array(list.compactMap { JSONCompatible(yaml: $0) })
        case let b as Bool: self = .bool(b)
        case let i as Int: self = .number(Double(i))
        case let d as Double: self = d.isFinite ? .number(d) : .string(String(d))
        case let s as String: self = .string(s)
        case is NSNull: self = .null
        default: self = .string(String(describing: value))
        }
    }

    public init?(json value: Any) {
        switch value {
        case is NSNull: self = .null
        case let map as [String: Any]: self = .object(map.compactMapValues { JSONCompatible(json: $0) })
        case let list as [Any]: self = .array(list.compactMap { JSONCompatible(json: $0) })
        case let s as String: self = .string(s)
        case let n as NSNumber:
            if String(cString: n.objCType) == "c" { self = .bool(n.boolValue) } else { self = .number(n.doubleValue) }
        case let b as Bool: self = .bool(b)
        default: return nil
        }
    }

    /// The value as JSON to print: numbers without a fraction as integers, keys sorted.
    public var jsonValue: JSONValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? .int(Int64(d)) : .double(d)
        case .string(let s): return .string(s)
        case .array(let items): return .array(items.map(\.jsonValue))
        case .object(let object): return .object(object.keys.sorted().map { ($0, object[$0]!.jsonValue) })
        }
    }

    /// Compact JSON with sorted keys.
    public var json: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .string(let s):
            let data = try? JSONSerialization.data(withJSONObject: [s], options: [])
            return data.map { String(decoding: $0.dropFirst().dropLast(), as: UTF8.self) } ?? "\"\""
        case .array(let items): return "[" + items.map(\.json).joined(separator: ",") + "]"
        case .object(let object):
            return "{" + object.keys.sorted().map { JSONCompatible.string($0).json + ":" + object[$0]!.json }.joined(separator: ",") + "}"
        }
    }
}
