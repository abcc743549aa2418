/// One package as a hub lists it: where its repository is and what the hub said about it.
public struct PackageRef: Sendable, Equatable {
    /// The hub's configured name.
    public var hub: String
    /// The package id within the hub (SPEC.md: for `git` hubs, the URL's path without `.git`).
    public var id: String
    /// The repository URL as the hub gives it (before `[[rewrite]]` rules).
    public var repository: String
    /// The folder inside the repository holding the package; empty for the whole repository.
    public var subpath: String

    public init(hub: String, id: String, repository: String, subpath: String = "") {
        self.hub = hub
        self.id = id
        self.repository = repository
        self.subpath = subpath
    }

    /// `hub:id`.
    public var qualifiedName: String { "\(hub):\(id)" }
}

/// A hub entry that could not be turned into a package, with the reason.
public struct HubProblem: Sendable, Equatable, CustomStringConvertible {
    public var hub: String
    public var item: String
    public var problem: String

    public var description: String { "\(hub): \(item): \(problem)" }
}
