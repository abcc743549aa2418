import Foundation
import SedimentHTTP

/// The `huggingface` hub: `GET {endpoint}/api/models` with the configured filters, following
/// `Link: <…>; rel="next"` pages. Each model is a package whose repository is
/// `{endpoint}/{id}`; the listed `sha` lets an unchanged package skip git entirely.
public struct HuggingFaceHub: Sendable {
    /// Which models to list.
    public struct Query: Sendable, Equatable {
        public var author: String?
        public var search: String?
        /// Tags every listed model must have.
        public var filter: [String] = []
        /// `downloads`, `likes`, `lastModified`, `createdAt`, … (descending).
        public var sort: String?
        /// The most models to list (all when nil).
        public var limit: Int?

        public init(author: String? = nil, search: String? = nil, filter: [String] = [], sort: String? = nil, limit: Int? = nil) {
            self.author = author
            self.search = search
            self.filter = filter
            self.sort = sort
            self.limit = limit
        }
    }

    public var name: String
    public var endpoint: String
    public var query: Query
    /// Sent as a bearer token to the API; never logged.
    public var token: String?
    /// Models per API page (at most 1000).
    public var pageSize = 1000

    /// The fields asked of the API for each model (`expand[]`).
    public static let fields = ["author", "sha", "lastModified", "createdAt", "downloads", "downloadsAllTime", "likes", "tags",
                                "pipeline_tag", "library_name", "gated", "private", "disabled", "cardData", "baseModels"]

    public init(name: String, endpoint: String, query: Query, token: String?) {
        self.name = name
        var trimmed = endpoint
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.endpoint = trimmed
        self.query = query
        self.token = token
    }

    /// The first page's URL.
    public var listingURL: String {
        var items: [URLQueryItem] = []
        if let author = query.author { items.append(URLQueryItem(name: "author", value: author)) }
        if let search = query.search { items.append(URLQueryItem(name: "search", value: search)) }
        for tag in query.filter { items.append(URLQueryItem(name: "filter", value: tag)) }
        if let sort = query.sort {
            items.append(URLQueryItem(name: "sort", value: sort))
            items.append(URLQueryItem(name: "direction", value: "-1"))
        }
        items.append(URLQueryItem(name: "limit", value: String(min(pageSize, query.limit ?? pageSize))))
        for field in Self.fields { items.append(URLQueryItem(name: "expand[]", value: field)) }
        var components = URLComponents(string: endpoint + "/api/models")!
        components.queryItems = items
        return components.string!
    }

    /// Lists the models, page by page. Entries that are not models are reported as problems;
    /// a failed or unreadable page fails the whole listing with a ``HubError``, and so does a
    /// page that is not worth following (``ListingPages``): on another origin than the
    /// endpoint (the token would go there), or already listed (a listing that loops).
    public func discover(client: HTTPClient) throws -> (packages: [PackageRef], problems: [HubProblem], complete: Bool) {
        var packages: [PackageRef] = []
        var problems: [HubProblem] = []
        var seen = Set<String>()
        var pagination = ListingPages(endpoint: endpoint)
        var next: String? = listingURL
        while let url = next {
            try pagination.admit(url, hub: name)
            let pages = pagination.count
            let response: HTTPResponse
            do {
                response = try client.send(request(url))
            } catch {
                throw HubError(hub: name, problem: "listing models: \(error)")
            }
            guard response.isSuccess else {
                throw HubError(hub: name, problem: "listing models: \(response.url) answered HTTP \(response.status)")
            }
            let parsed: [Result<PackageRef, HubProblem>]?
            do {
                parsed = try Self.parse(page: response.body, hub: name, endpoint: endpoint, jsonLimits: client.configuration.limits.json)
            } catch let refusal as BoundedJSON.Refusal {
                throw HubError(hub: name, problem: "listing models: the answer of \(response.url) (page \(pages)) \(refusal.problem)")
            }
            guard let entries = parsed else {
                throw HubError(hub: name, problem: "listing models: \(response.url) did not answer a JSON array (page \(pages))")
            }
            let before = packages.count
            for entry in entries {
                switch entry {
                case .success(let package):
                    if seen.insert(package.id).inserted { packages.append(package) }
                case .failure(let problem):
                    problems.append(problem)
                }
                if let limit = query.limit, packages.count >= limit { return (packages, problems, false) }
            }
            try pagination.listed(newModels: packages.count - before, hub: name)
            next = response.nextLink.map { HTTPOrigin.resolve($0, against: url) ?? $0 }
        }
        return (packages, problems, query.limit == nil)
    }

    /// What the API says of one model now: its entry, `nil` when it does not exist (404), or
    /// `.gated` when access is refused (401/403).
    public enum Lookup: Sendable, Equatable {
        case found(PackageRef)
        case notFound
        case restricted(status: Int)
    }

    public func lookup(_ id: String, client: HTTPClient) throws -> Lookup {
        let response = try client.send(request(endpoint + "/api/models/" + id))
        switch response.status {
        case 200..<300:
            let decoded: Any?
            do {
                decoded = try BoundedJSON.parse(response.body, limits: client.configuration.limits.json)
            } catch let refusal as BoundedJSON.Refusal {
                throw HubError(hub: name, problem: "model \(id): the API's answer \(refusal.problem)")
            }
            guard let entry = decoded else {
                throw HubError(hub: name, problem: "model \(id): the API did not answer JSON")
            }
            switch Self.package(from: entry, hub: name, endpoint: endpoint) {
            case .success(let package): return .found(package)
            case .failure(let problem): throw HubError(hub: name, problem: problem.description)
            }
        case 404, 410: return .notFound
        case 401, 403: return .restricted(status: response.status)
        default: throw HubError(hub: name, problem: "model \(id): \(response.url) answered HTTP \(response.status)")
        }
    }

    private func request(_ url: String) -> HTTPRequest {
        var request = HTTPRequest(url: url, headers: ["Accept": "application/json"])
        request.kind = .listing
        if let token { request.authorize(bearer: token) }
        return request
    }

    /// The entries of one listing page, each a package or the reason it is not one; nil when
    /// the page is not a JSON array.
    static func parse(page body: Data, hub: String, endpoint: String,
                      jsonLimits: BoundedJSON.Limits = BoundedJSON.Limits()) throws -> [Result<PackageRef, HubProblem>]? {
        guard let entries = try BoundedJSON.parse(body, limits: jsonLimits) as? [Any] else { return nil }
        return entries.map { package(from: $0, hub: hub, endpoint: endpoint) }
    }

    /// Turns one listing entry into a package, keeping the whole entry as its metadata.
    static func package(from entry: Any, hub: String, endpoint: String) -> Result<PackageRef, HubProblem> {
        guard let object = entry as? [String: Any] else {
            return .failure(HubProblem(hub: hub, item: "listing entry", problem: "not a JSON object"))
        }
        guard let id = (object["id"] ?? object["modelId"]) as? String, !id.isEmpty else {
            return .failure(HubProblem(hub: hub, item: "listing entry", problem: "has no \"id\""))
        }
        let parts = id.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ part in
            !part.isEmpty && part != "." && part != ".." && part.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) }
        }) else {
            return .failure(HubProblem(hub: hub, item: id, problem: "is not a valid model id"))
        }
        let sha = (object["sha"] as? String).flatMap { $0.count == 40 && $0.allSatisfy(\.isHexDigit) ? $0.lowercased() : nil }
        let gated: Bool
        switch object["gated"] {
        case let flag as Bool: gated = flag
        case let mode as String: gated = !mode.isEmpty && mode != "false"
        default: gated = false
        }
        let metadata = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
            .map { String(decoding: $0, as: UTF8.self) }
        return .success(PackageRef(hub: hub, id: id, repository: endpoint + "/" + id, metadata: metadata,
                                   reportedHead: sha, gated: gated))
    }
}
