/// `compare:`: the side-by-side view of one painting across every method, as the live view's
/// Compare page and the HTML report draw it. It names the source images (the paintings), the
/// methods in column order (each a stage whose output holds images made from the source), and
/// optionally the ground truth with the rule that pairs it with a painting. Presentation only: it
/// enters no fingerprint, so adding or changing it reruns nothing.
///
/// ```yaml
/// compare:
///   source: scenes.data/${matrix.artist}/test
///   methods: {CycleGAN: translate_cyclegan, Ours: translate_ours, Style transfer: style}
///   truth: scenes.data/${matrix.artist}/test_truth
///   match: stem
/// ```
package struct CompareSpec: Sendable {
    /// The paintings: a path or `STAGE.OUTPUT[/sub/path]`, with `${…}` as in inputs.
    package var source: String
    package var sourceLocation: SourceLocation
    package var sourceLabel = "painting"
    package var methods: [CompareMethod] = []
    /// The ground truth, paired with each painting by `match`; nil when there is none.
    package var truth: String?
    package var truthLocation: SourceLocation?
    package var truthLabel = "truth"
    package var match: CompareMatch = .stem
    package var location: SourceLocation
    /// The matrix axes the source and truth depend on (those their text names, and those the stages
    /// they name run for), in the matrix's order.
    package var axes: [String] = []
    /// The source and truth folders of each combination of the values of `axes` (joined with ","),
    /// resolved when the experiment expands.
    package var resolved: [String: ResolvedCompare] = [:]

    package init(source: String, sourceLocation: SourceLocation, location: SourceLocation) {
        self.source = source
        self.sourceLocation = sourceLocation
        self.location = location
    }

    /// The key of `resolved` for a combination of matrix values (by axis).
    package func key(_ values: [String: String]) -> String { axes.map { values[$0] ?? "" }.joined(separator: ",") }
}

/// One column of the comparison: a label and the stage whose output holds its images.
package struct CompareMethod: Sendable {
    package var label: String
    package var stage: String
    /// The stage's output that holds the images (`images` unless written `stage.output`).
    package var output: String
    /// The stage whose `report` (a CSV per image, as `compare_images` writes) gives the cells'
    /// metrics; nil: the stage whose input `images` is this method's output, if there is one.
    package var metrics: String?
    package var location: SourceLocation
    package var metricsLocation: SourceLocation?

    package init(label: String, stage: String, output: String, metrics: String? = nil, location: SourceLocation) {
        self.label = label
        self.stage = stage
        self.output = output
        self.metrics = metrics
        self.location = location
    }
}

/// How a truth image is found for a painting.
package enum CompareMatch: String, Sendable, CaseIterable {
    /// The file whose relative path without its extension is the painting's (`00003.png` ~ `00003.jpg`).
    case stem
    /// The file at the same relative path.
    case path
}

/// The folders of one combination of matrix values.
package struct ResolvedCompare: Sendable, Hashable {
    package var source: InputSource
    package var truth: InputSource?

    package init(source: InputSource, truth: InputSource?) {
        self.source = source
        self.truth = truth
    }
}
