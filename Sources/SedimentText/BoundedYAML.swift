import CYaml   // libyaml, as Yams builds it: its event parser keeps its own stacks on the heap
import Foundation
import Yams

/// Loads YAML that anyone may have written (model card front matter, PyTorch Hub cards)
/// without letting it exhaust the machine.
///
/// Yams' `load` expands aliases into Swift values and composes nodes recursively, so a 1 KB
/// "billion laughs" document grows to gigabytes and 100,000 nested `[` overflow the stack.
/// The document is therefore checked first on libyaml's event stream, which parses without
/// recursion and without expanding anything: its size, its nesting depth, and the number of
/// nodes it would have once every alias is expanded (computed, not built). Only a document
/// within the limits reaches Yams. A mapping key that is itself a sequence or a mapping (YAML's
/// complex keys, `? [a, b]`) is refused too: Yams' loader force-unwraps keys as strings and
/// would stop the process.
public enum BoundedYAML {
    /// The bounds of one document.
    public struct Limits: Sendable, Equatable {
        /// The largest document, in bytes.
        public var maxBytes: Int
        /// The deepest nesting of sequences and mappings.
        public var maxDepth: Int
        /// The most nodes (scalars and collections) the document may hold with every alias expanded.
        public var maxNodes: Int

        public init(maxBytes: Int = 1 << 20, maxDepth: Int = 64, maxNodes: Int = 200_000) {
            self.maxBytes = maxBytes
            self.maxDepth = maxDepth
            self.maxNodes = maxNodes
        }
    }

    /// Why a document was refused or could not be read.
    public struct Refusal: Error, Equatable, CustomStringConvertible, Sendable {
        /// What is wrong, to follow a subject ("is not valid YAML: …", "nests deeper than 64 levels").
        public var predicate: String
        public var description: String { "the YAML \(predicate)" }
    }

    /// The document as Yams loads it (nil for an empty document), or a ``Refusal`` naming the
    /// limit it is over or the YAML error.
    public static func load(_ yaml: String, limits: Limits = Limits()) throws -> Any? {
        try check(yaml, limits: limits)
        do {
            return try Yams.load(yaml: yaml)
        } catch {
            throw Refusal(predicate: "is not valid YAML: \(error)")
        }
    }

    /// Checks `yaml` against `limits` without building it.
    public static func check(_ yaml: String, limits: Limits = Limits()) throws {
        let bytes = Array(yaml.utf8)
        guard bytes.count <= limits.maxBytes else {
            throw Refusal(predicate: "is \(bytes.count) bytes, over the limit of \(limits.maxBytes)")
        }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw Refusal(predicate: "could not be parsed: the parser could not start (out of memory)") }
        defer { yaml_parser_delete(&parser) }
        try bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            // Node counts of the collections being read, and of every anchor seen; for each open
            // collection, whether it is a mapping and how many entries (keys and values) it has begun.
            var open: [(anchor: String?, nodes: Int, isMapping: Bool, children: Int)] = []
            var anchors: [String: Int] = [:]
            var collectionAnchors = Set<String>()
            var total = 0
            // `nodes` more in the document and in the innermost open collection.
            func add(_ nodes: Int, toOpen: Bool = true) throws {
                total = total > limits.maxNodes || nodes > limits.maxNodes ? limits.maxNodes + 1 : total + nodes
                if toOpen, !open.isEmpty { open[open.count - 1].nodes = min(open[open.count - 1].nodes + nodes, limits.maxNodes + 1) }
                guard total <= limits.maxNodes else {
                    throw Refusal(predicate: "expands to more than \(limits.maxNodes) nodes (aliases included)")
                }
            }
            func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
                pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            }
            // A node begins in the innermost open collection; a collection may not be a mapping's key.
            func begin(isCollection: Bool) throws {
                guard !open.isEmpty else { return }
                let parent = open.count - 1
                if open[parent].isMapping, open[parent].children % 2 == 0, isCollection {
                    throw Refusal(predicate: "has a mapping key that is a sequence or a mapping, which is not supported")
                }
                open[parent].children += 1
            }
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
                    throw Refusal(predicate: "is not valid YAML: \(problem) at line \(parser.problem_mark.line + 1)")
                }
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return
                case YAML_SCALAR_EVENT:
                    try begin(isCollection: false)
                    try add(1)
                    if let anchor = name(event.data.scalar.anchor) {
                        anchors[anchor] = 1
                        collectionAnchors.remove(anchor)
                    }
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let anchor = event.type == YAML_SEQUENCE_START_EVENT ? name(event.data.sequence_start.anchor)
                        : name(event.data.mapping_start.anchor)
                    try begin(isCollection: true)
                    try add(1, toOpen: false)
                    if let anchor { collectionAnchors.insert(anchor) }
                    open.append((anchor, 1, event.type == YAML_MAPPING_START_EVENT, 0))
                    guard open.count <= limits.maxDepth else {
                        throw Refusal(predicate: "nests deeper than \(limits.maxDepth) levels")
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let closed = open.popLast() else { break }
                    if let anchor = closed.anchor { anchors[anchor] = closed.nodes }
                    if !open.isEmpty {
                        // Counted in the document as they came; now part of the parent's size too.
                        open[open.count - 1].nodes = min(open[open.count - 1].nodes + closed.nodes, limits.maxNodes + 1)
                    }
                case YAML_ALIAS_EVENT:
                    // An alias stands for a copy of its anchor's whole node once loaded.
                    let anchor = name(event.data.alias.anchor)
                    try begin(isCollection: anchor.map(collectionAnchors.contains) ?? false)
                    try add(anchor.flatMap { anchors[$0] } ?? 1)
                default:
                    break
                }
            }
        }
    }
}
