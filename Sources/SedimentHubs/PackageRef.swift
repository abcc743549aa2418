/// One package as a hub lists it: where its repository is and what the hub said about it.
public struct PackageRef: Sendable, Equatable, Codable {
    /// The hub's configured name.
    public var hub: String
    /// The package id within the hub (SPEC.md: for `git` hubs, the URL's path without `.git`).
    public var id: String
    /// The repository URL as the hub gives it (before `[[rewrite]]` rules).
    public var repository: String
    /// The folder inside the repository holding the package; empty for the whole repository.
    public var subpath: String
    /// Files under ``subpath`` (relative to it) that are other packages' and not this one's:
    /// the other entries' weights in an ONNX Model Zoo folder.
    public var excludedPaths: [String] = []
    /// A file outside ``subpath``, relative to it (`../README.md`), that is the package's card.
    public var cardPath: String?
    /// What the hub said about the package, as canonical JSON (keys sorted), if it said anything.
    public var metadata: String?
    /// The head commit the hub reports for the default branch, when it reports one: a visit
    /// whose archived head equals it skips the git round trip.
    public var reportedHead: String?
    /// The hub restricts access (Hugging Face's gated models).
    public var gated: Bool
    /// The branch that is the package's head, when the hub names one (Modelhub's
    /// `github_branch`); otherwise the repository's default branch.
    public var branch: String?

    public init(hub: String, id: String, repository: String, subpath: String = "", metadata: String? = nil,
                reportedHead: String? = nil, gated: Bool = false, branch: String? = nil) {
        self.hub = hub
        self.id = id
        self.repository = repository
        self.subpath = subpath
        self.metadata = metadata
        self.reportedHead = reportedHead
        self.gated = gated
        self.branch = branch
    }

    /// `hub:id`.
    public var qualifiedName: String { "\(hub):\(id)" }
}

/// A hub entry that could not be turned into a package, with the reason.
public struct HubProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var hub: String
    public var item: String
    public var problem: String

    public var description: String { "\(hub): \(item): \(problem)" }
}

/// A hub that could not be listed at all (its API failed or answered nonsense).
public struct HubError: Error, CustomStringConvertible, Sendable {
    public var hub: String
    public var problem: String

    public init(hub: String, problem: String) {
        self.hub = hub
        self.problem = problem
    }

    public var description: String { "hub \(hub): \(problem)" }
}
