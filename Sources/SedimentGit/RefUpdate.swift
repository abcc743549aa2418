/// How one reference changed in a fetch.
public enum RefUpdateKind: String, Sendable {
    case created, fastForward = "fast-forward", forced, deleted
}

/// One reference change seen by a fetch.
public struct RefUpdate: Sendable, Equatable {
    public var name: String
    public var kind: RefUpdateKind
    /// The previous tip (nil when created).
    public var old: ObjectID?
    /// The new tip (nil when deleted).
    public var new: ObjectID?
}
