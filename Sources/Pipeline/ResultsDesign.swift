/// How an experiment's results are read, declared beside its stages: which matrix axes are
/// replicates (collapsed into mean ± interval), which pairs of metrics are compared, and the
/// paper-shaped tables, and the side-by-side image comparison. None of it enters a fingerprint:
/// changing it reruns nothing.
package struct ResultsDesign: Sendable {
    /// Matrix axes whose values are replicates of the same condition (seeds).
    package var replicates: [String] = []
    package var comparisons: [ComparisonSpec] = []
    package var tables: [TableSpec] = []
    /// `compare:`: which images are drawn side by side; nil when the experiment declares none.
    package var compare: CompareSpec?

    package init() {}
}

/// Which way a metric improves.
package enum Direction: String, Sendable, CaseIterable {
    case higher, lower
}

/// `comparisons: {NAME: {a: ours_vs_truth.psnr, b: cyclegan_vs_truth.psnr, better: higher, labels: [ours, CycleGAN]}}`:
/// column `a` against column `b` (each `stage.metric`), paired over the replicate axes within
/// each row of the other axes.
package struct ComparisonSpec: Sendable {
    package var name: String
    package var a: String
    package var b: String
    package var better: Direction
    /// What the verdict calls the two sides ("ours better").
    package var labels: (a: String, b: String)
    /// `over: images`: pair per image as well as per replicate, from each stage's per-image values
    /// (its `report` output, a CSV with an `image` column and one per metric, as `compare_images` writes).
    package var perItem = false
    package var location: SourceLocation
    /// Where `a` and `b` are written.
    package var aLocation: SourceLocation?
    package var bLocation: SourceLocation?
}

/// `tables: {NAME: {caption, rows: {LABEL: STAGE, …}, columns: {axis: artist, metrics: [fid64*, …]}, better: lower}}`:
/// rows are methods (each a stage), columns an axis's values × metrics (glob patterns on the
/// stage's metric names), as a paper lays out its tables.
package struct TableSpec: Sendable {
    package var name: String
    package var caption: String
    package var rows: [(label: String, stage: String)]
    /// The matrix axis whose values group the columns; nil for one group.
    package var axis: String?
    package var metrics: [String]
    package var better: Direction
    package var location: SourceLocation
    /// Where each row's stage and each metric pattern is written (by row label, by pattern).
    package var rowLocations: [String: SourceLocation] = [:]
    package var metricLocations: [String: SourceLocation] = [:]
}
