import ArgumentParser
import Foundation
import SedimentEngine
import SedimentStore

/// `sediment lineage`: a package's base models and the packages derived from it.
struct Lineage: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a package's ancestors (its base models) and descendants.",
        discussion: """
            Edges come from the `lineage` view: the card's base_model (at the package's latest observation; a \
            list gives one edge per model) and the Hugging Face Hub's baseModels field (at its latest listing), \
            with the relation (finetune, quantized, adapter, merge and others) when the hub or the card's \
            base_model_relation gives one. Ancestors are followed through archived packages; a base model \
            that is not archived is printed, marked, and not followed further. Descendants are the archived \
            packages naming this one, and theirs.

            EXAMPLES:
              sediment lineage hf:meta-llama/Llama-2-7b-hf
              sediment lineage lab/chat-7b --json
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONFlag
    @OptionGroup var named: PackageArgument

    func run() throws {
        let archive = try global.openArchive()
        let record = try archive.catalog.package(named: named.package)
        let tree = LineageTree(edges: try archive.catalog.lineageEdges())
        let root = LineageTree.Node(hub: record.hub, id: record.id)
        let ancestors = tree.walk(from: root, direction: .ancestors)
        let descendants = tree.walk(from: root, direction: .descendants)
        if output.json {
            for (direction, steps) in [("ancestor", ancestors), ("descendant", descendants)] {
                for step in steps {
                    Output.json(.object([
                        ("package", .string(record.qualifiedName)), ("direction", .string(direction)), ("depth", .int(Int64(step.depth))),
                        ("hub", .optional(step.node.hub)), ("id", .string(step.node.id)), ("archived", .bool(step.node.hub != nil)),
                        ("of", .string(step.of.name)), ("relation", .optional(step.relation)),
                        ("sources", .array(step.sources.map(JSONValue.string))),
                    ]))
                }
            }
            return
        }
        Output.line(record.qualifiedName)
        for (title, steps) in [("ancestors", ancestors), ("descendants", descendants)] {
            Output.line(steps.isEmpty ? "\(title): none" : "\(title):")
            for step in steps {
                let indent = String(repeating: "  ", count: step.depth)
                var notes = [step.relation ?? "relation not given", "from " + step.sources.joined(separator: " and ")]
                if step.node.hub == nil { notes.append("not archived") }
                Output.line("\(indent)\(step.node.name) (\(notes.joined(separator: "; ")))")
            }
        }
    }
}

/// The family tree of the `lineage` view's edges.
struct LineageTree {
    /// A package: archived (with its hub) or only named as a base model (no hub).
    struct Node: Hashable {
        var hub: String?
        var id: String
        var name: String { hub.map { "\($0):\(id)" } ?? id }
    }

    struct Step {
        var node: Node
        /// The node it was reached from.
        var of: Node
        var depth: Int
        var relation: String?
        var sources: [String]
    }

    enum Direction { case ancestors, descendants }

    /// Edges from a package to its base, with the relation and the sources that give them.
    private var bases: [Node: [(base: Node, relation: String?, sources: [String])]] = [:]
    private var children: [Node: [(child: Node, relation: String?, sources: [String])]] = [:]

    init(edges: [LineageEdge]) {
        var merged: [Node: [Node: (relation: String?, sources: [String])]] = [:]
        for edge in edges {
            let child = Node(hub: edge.hub, id: edge.package), base = Node(hub: edge.baseHub, id: edge.base)
            var entry = merged[child, default: [:]][base] ?? (nil, [])
            // The hub's relation is the Hub's own classification; the card's fills in when it is silent.
            if edge.source == "hub" || entry.relation == nil { entry.relation = edge.relation ?? entry.relation }
            if !entry.sources.contains(edge.source) { entry.sources.append(edge.source) }
            merged[child, default: [:]][base] = entry
        }
        for (child, bases) in merged {
            for (base, entry) in bases.sorted(by: { $0.key.name < $1.key.name }) {
                self.bases[child, default: []].append((base, entry.relation, entry.sources.sorted()))
                children[base, default: []].append((child, entry.relation, entry.sources.sorted()))
            }
        }
        for key in children.keys { children[key]?.sort { $0.child.name < $1.child.name } }
    }

    /// Every node reachable from `root` in `direction`, depth first, each once.
    func walk(from root: Node, direction: Direction) -> [Step] {
        var steps: [Step] = []
        var seen: Set<Node> = [root]
        func visit(_ node: Node, depth: Int) {
            let next = direction == .ancestors
                ? (bases[node] ?? []).map { ($0.base, $0.relation, $0.sources) }
                : (children[node] ?? []).map { ($0.child, $0.relation, $0.sources) }
            for (other, relation, sources) in next where seen.insert(other).inserted {
                steps.append(Step(node: other, of: node, depth: depth, relation: relation, sources: sources))
                if other.hub != nil { visit(other, depth: depth + 1) }
            }
        }
        visit(root, depth: 1)
        return steps
    }
}
