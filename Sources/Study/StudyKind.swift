/// The three user studies of the method.
package enum StudyKind: String, Sendable, CaseIterable, Codable {
    /// CycleGAN's result and the method's side by side: which looks more realistic?
    case realism
    /// The painting above, both results below: which is more faithful to the painting?
    case coherence
    /// A real photograph and a result of the method at one resize ratio: which is the real one?
    case realOrFake = "real_or_fake"

    /// The question raters read; it names no method.
    package var question: String {
        switch self {
        case .realism: return "Which image looks more realistic?"
        case .coherence: return "Which of the two images below is more faithful to the painting above?"
        case .realOrFake: return "One of these two images is a real photograph. Which one?"
        }
    }

    /// Whether the painting is shown above the two candidates.
    package var showsPainting: Bool { self == .coherence }

    /// The label of a study at a resize ratio in reports and metric names: `realism`, `real_or_fake@0.67`.
    package func label(ratio: Double) -> String {
        self == .realOrFake ? "\(rawValue)@\(StudyKind.ratioText(ratio))" : rawValue
    }

    /// A ratio with at most two decimals and no trailing zeros (1, 0.67, 0.5).
    package static func ratioText(_ ratio: Double) -> String {
        var text = String((ratio * 100).rounded() / 100)
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}

/// Whether a trial counts towards a study or checks that the rater pays attention.
package enum TrialRole: String, Sendable, Codable {
    case test
    case attention
}
