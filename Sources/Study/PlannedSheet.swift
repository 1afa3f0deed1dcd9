/// An image a trial shows, named by where it comes from; rendered later by `SheetWriter`.
public enum TrialImage: Hashable, Sendable {
    case painting(String)
    case baseline(String)
    case method(String)
    case real(String)
    /// Random coloured noise: the obviously wrong side of an attention check.
    case noise(UInt64)
}

/// A trial before its images are rendered: the key (without image names) and what each slot shows.
public struct PlannedTrial: Sendable {
    public var key: TrialKey
    /// The painting above the candidates (coherence only).
    public var top: TrialImage?
    public var first: TrialImage
    public var second: TrialImage
}

/// One rater's sheet before rendering.
public struct PlannedSheet: Sendable {
    public var sheetID: String
    public var rater: Int
    public var trials: [PlannedTrial]
}
