/// An image a trial shows, named by where it comes from; rendered later by `SheetWriter`.
package enum TrialImage: Hashable, Sendable {
    case painting(String)
    case baseline(String)
    case method(String)
    case real(String)
    /// Random coloured noise: the obviously wrong side of an attention check.
    case noise(UInt64)
}

/// A trial before its images are rendered: the key (without image names) and what each slot shows.
package struct PlannedTrial: Sendable {
    package var key: TrialKey
    /// The painting above the candidates (coherence only).
    package var top: TrialImage?
    package var first: TrialImage
    package var second: TrialImage
}

/// One rater's sheet before rendering.
package struct PlannedSheet: Sendable {
    package var sheetID: String
    package var rater: Int
    package var trials: [PlannedTrial]
}
