/// What a fetch did: the refs the remote advertised, its default branch, the updates
/// applied to the mirror, and the transfer statistics.
public struct FetchResult: Sendable {
    /// Every ref the remote advertised that matches the fetch patterns, peeled `^{}` entries excluded.
    public var remoteRefs: [String: ObjectID]
    /// The branch the remote's HEAD points at, when it said.
    public var defaultBranch: String?
    public var updates: [RefUpdate]
    public var receivedObjects: Int
    public var receivedBytes: Int
    public var indexedObjects: Int
}

/// A progress report during a fetch.
public struct FetchProgress: Sendable {
    public var receivedObjects: Int
    public var totalObjects: Int
    public var receivedBytes: Int
}
