import Foundation
import SedimentHTTP

/// The `modelzoo` hub (modelzoo.co): `GET {endpoint}/api/models/0/` lists the catalogue,
/// then `GET {endpoint}/api/models/{slug}/` gives each model's details; the site answers only
/// requests with a `Referer`. A model whose `link` is a repository on a git host is a package
/// mirrored from it; any other model is a metadata-only package (no repository).
public struct ModelZooHub: Sendable {
    public var name: String
    public var endpoint: String
    /// Keeps responses so that the next crawl asks conditionally (a 304 for an unchanged model).
    public var cache: ResponseCache?

    /// Hosts whose repository links are mirrored.
    public static let gitHosts = ["github.com", "gitlab.com", "bitbucket.org", "huggingface.co", "codeberg.org"]

    public init(name: String, endpoint: String) {
        self.name = name
        var trimmed = endpoint
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.endpoint = trimmed
    }

    public func discover(client: HTTPClient) throws -> (packages: [PackageRef], problems: [HubProblem]) {
        let catalogue = try json(endpoint + "/api/models/0/", client: client, what: "the catalogue")
        guard let models = Self.entries(catalogue: catalogue, hub: name) else {
            throw HubError(hub: name, problem: "the catalogue is not an object with a \"models\" array")
        }
        var packages: [PackageRef] = []
        var problems: [HubProblem] = []
        var seen = Set<String>()
        for model in models {
            let (slug, summary): (String, [String: Any])
            switch model {
            case .success(let entry): (slug, summary) = entry
            case .failure(let problem):
                problems.append(problem)
                continue
            }
            guard seen.insert(slug).inserted else {
                problems.append(HubProblem(hub: name, item: slug, problem: "is listed twice; the first entry is used"))
                continue
            }
            var merged = summary
            do {
                if let details = try json(endpoint + "/api/models/\(slug)/", client: client, what: "model \(slug)") as? [String: Any] {
                    merged.merge(details) { _, new in new }
                } else {
                    problems.append(HubProblem(hub: name, item: slug, problem: "its details are not a JSON object; the catalogue entry is kept"))
                }
            } catch {
                problems.append(HubProblem(hub: name, item: slug, problem: "\(error); the catalogue entry is kept"))
            }
            packages.append(Self.package(hub: name, slug: slug, merged: merged))
        }
        return (packages, problems)
    }

    /// The catalogue's entries (`{"models": […]}` or a bare array, decoded), each a model's slug
    /// and summary or the reason it is not one; nil when the catalogue is neither.
    static func entries(catalogue: Any, hub: String) -> [Result<(slug: String, summary: [String: Any]), HubProblem>]? {
        guard let models = (catalogue as? [String: Any])?["models"] as? [Any] ?? catalogue as? [Any] else { return nil }
        return models.enumerated().map { index, entry in
            guard let summary = entry as? [String: Any], let slug = summary["slug"] as? String,
                  !slug.isEmpty, slug.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                return .failure(HubProblem(hub: hub, item: "catalogue entry \(index)", problem: "has no valid \"slug\""))
            }
            return .success((slug, summary))
        }
    }

    /// The package of a model from its catalogue summary merged with its details (the details win).
    static func package(hub: String, slug: String, merged: [String: Any]) -> PackageRef {
        let repository = (merged["link"] as? String).flatMap(Self.repositoryURL) ?? ""
        return PackageRef(hub: hub, id: slug, repository: repository, metadata: canonicalJSON(merged))
    }

    /// The repository a model's link points at, when it is one on a git host:
    /// `https://github.com/owner/repo/tree/master/x` → `https://github.com/owner/repo`.
    public static func repositoryURL(_ link: String) -> String? {
        guard let url = URL(string: link.trimmingCharacters(in: .whitespaces)), let host = url.host?.lowercased(),
              ["http", "https"].contains(url.scheme?.lowercased() ?? "") else { return nil }
        let bare = host.hasPrefix("www.") ? String(host.dropFirst(4)) : host
        guard gitHosts.contains(bare) else { return nil }
        let parts = url.path.split(separator: "/").map(String.init)
        guard parts.count >= 2, !parts[0].hasPrefix("."), !parts[1].hasPrefix(".") else { return nil }
        var repo = parts[1]
        if repo.hasSuffix(".git") { repo.removeLast(4) }
        return "https://\(bare)/\(parts[0])/\(repo)"
    }

    private func json(_ url: String, client: HTTPClient, what: String) throws -> Any {
        let response: HTTPResponse
        do {
            var request = HTTPRequest(url: url, headers: ["Accept": "application/json", "Referer": endpoint + "/"])
            request.kind = .listing
            response = try client.send(request, cache: cache)
        } catch {
            throw HubError(hub: name, problem: "\(what): \(error)")
        }
        guard response.isSuccess else { throw HubError(hub: name, problem: "\(what): \(response.url) answered HTTP \(response.status)") }
        let decoded: Any?
        do {
            decoded = try BoundedJSON.parse(response.body, limits: client.configuration.limits.json)
        } catch let refusal as BoundedJSON.Refusal {
            throw HubError(hub: name, problem: "\(what): the answer of \(response.url) \(refusal.problem)")
        }
        guard let value = decoded else {
            throw HubError(hub: name, problem: "\(what): \(response.url) did not answer JSON")
        }
        return value
    }
}
