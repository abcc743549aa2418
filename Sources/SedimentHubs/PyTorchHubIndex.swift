import Foundation
import SedimentText

/// The `pytorch-hub` hub: the index repository laid out as `pytorch/hub`, one
/// `OWNER_REPO_MODEL.md` card per package with YAML front matter (`title`, `summary`,
/// `category`, `tags`, `author`, `github-link`, `github-id`, …). The package id is the file
/// name without `.md`; its repository is `https://github.com/{github-id}`.
public enum PyTorchHubIndex {
    /// The front matter fields kept as the package's metadata (all of them are).
    public static let fields = ["title", "summary", "category", "tags", "author", "github-link", "github-id"]

    /// The packages of the cards, given as (file name, content); other files are ignored.
    public static func packages(hub: String, cards: [(name: String, content: Data)], githubBase: String = "https://github.com/")
        -> (packages: [PackageRef], problems: [HubProblem]) {
        var packages: [PackageRef] = []
        var problems: [HubProblem] = []
        for card in cards.sorted(by: { $0.name < $1.name }) where card.name.hasSuffix(".md") && !card.name.contains("/") {
            let id = String(card.name.dropLast(3))
            guard id.uppercased() != "README", id.uppercased() != "CONTRIBUTING" else { continue }
            switch frontMatter(card.content) {
            case .failure(let why):
                problems.append(HubProblem(hub: hub, item: card.name, problem: why.problem))
            case .success(nil):
                problems.append(HubProblem(hub: hub, item: card.name, problem: "skipped: not a model card (no YAML front matter)"))
            case .success(let fields?):
                guard let githubID = (fields["github-id"] as? String)?.trimmingCharacters(in: .whitespaces),
                      githubID.split(separator: "/").count == 2, !githubID.contains("..") else {
                    problems.append(HubProblem(hub: hub, item: card.name, problem: "skipped: has no valid \"github-id\" (OWNER/REPO)"))
                    continue
                }
                packages.append(PackageRef(hub: hub, id: id, repository: githubBase + githubID, metadata: canonicalJSON(fields)))
            }
        }
        return (packages, problems)
    }

    /// The YAML front matter of a card as JSON-compatible values; nil when the file has none.
    static func frontMatter(_ content: Data) -> Result<[String: Any]?, HubProblem> {
        guard let text = TextLines.decode(content) else {
            return .failure(HubProblem(hub: "", item: "", problem: "skipped: is not UTF-8 text"))
        }
        guard let yaml = FrontMatter(text)?.yaml else { return .success(nil) }
        do {
            guard let loaded = try BoundedYAML.load(yaml, limits: BoundedYAML.Limits(maxBytes: 256 << 10)) else { return .success([:]) }
            guard let mapping = loaded as? [String: Any] else {
                return .failure(HubProblem(hub: "", item: "", problem: "skipped: its front matter is not a mapping"))
            }
            return .success(jsonCompatible(mapping) as? [String: Any])
        } catch let refusal as BoundedYAML.Refusal {
            return .failure(HubProblem(hub: "", item: "", problem: "skipped: its front matter \(refusal.predicate)"))
        } catch {
            return .failure(HubProblem(hub: "", item: "", problem: "skipped: its front matter could not be read: \(error)"))
        }
    }

    /// YAML values made JSON-serialisable (dates and other scalars become strings).
    static func jsonCompatible(_ value: Any) -> Any {
        switch value {
        case let map as [String: Any]: return map.mapValues(jsonCompatible)
        case let map as [AnyHashable: Any]:
            return Dictionary(map.map { ("\($0.key)", jsonCompatible($0.value)) }, uniquingKeysWith: { a, _ in a })
        case let list as [Any]: return list.map(jsonCompatible)
        case let s as String: return s
        case let b as Bool: return b
        case let i as Int: return i
        case let d as Double: return d.isFinite ? d : String(d)
        case is NSNull: return NSNull()
        default: return String(describing: value)
        }
    }
}

/// The entry points a `hubconf.py` offers: its top-level functions whose names do not start
/// with `_` (what `torch.hub.list` returns).
public enum HubconfEntrypoints {
    public static func parse(_ content: Data) -> [String] {
        var names: [String] = []
        for line in TextLines.lines(of: String(decoding: content, as: UTF8.self)) {
            guard line.hasPrefix("def ") || line.hasPrefix("async def ") else { continue }
            let rest = line.drop(while: { $0 != " " }).drop(while: { $0 == " " })
            let rest2 = line.hasPrefix("async def ") ? rest.drop(while: { $0 != " " }).drop(while: { $0 == " " }) : rest
            let name = String(rest2.prefix(while: { $0.isLetter || $0.isNumber || $0 == "_" }))
            guard !name.isEmpty, !name.hasPrefix("_"), rest2.dropFirst(name.count).first == "(" else { continue }
            if !names.contains(name) { names.append(name) }
        }
        return names
    }
}
