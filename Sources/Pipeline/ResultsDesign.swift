/// How an experiment's results are read, declared beside its stages: which matrix axes are
/// replicates (collapsed into mean ± interval), which pairs of metrics are compared, and the
/// paper-shaped tables. None of it enters a fingerprint: changing it reruns nothing.
public struct ResultsDesign: Sendable {
    /// Matrix axes whose values are replicates of the same condition (seeds).
    public var replicates: [String] = []
    public var comparisons: [ComparisonSpec] = []
    public var tables: [TableSpec] = []

    public init() {}
}

/// Which way a metric improves.
public enum Direction: String, Sendable, CaseIterable {
    case higher, lower
}

/// `comparisons: {NAME: {a: ours_vs_truth.psnr, b: cyclegan_vs_truth.psnr, better: higher, labels: [ours, CycleGAN]}}`:
/// column `a` against column `b` (each `stage.metric`), paired over the replicate axes within
/// each row of the other axes.
public struct ComparisonSpec: Sendable {
    public var name: String
    public var a: String
    public var b: String
    public var better: Direction
    /// What the verdict calls the two sides ("ours better").
    public var labels: (a: String, b: String)
    /// `over: images`: pair per image as well as per replicate, from each stage's per-image values
    /// (its `report` output, a CSV with an `image` column and one per metric, as `compare_images` writes).
    public var perItem = false
    public var location: SourceLocation
    /// Where `a` and `b` are written.
    public var aLocation: SourceLocation?
    public var bLocation: SourceLocation?
}

/// `tables: {NAME: {caption, rows: {LABEL: STAGE, …}, columns: {axis: artist, metrics: [fid64*, …]}, better: lower}}`:
/// rows are methods (each a stage), columns an axis's values × metrics (glob patterns on the
/// stage's metric names), as a paper lays out its tables.
public struct TableSpec: Sendable {
    public var name: String
    public var caption: String
    public var rows: [(label: String, stage: String)]
    /// The matrix axis whose values group the columns; nil for one group.
    public var axis: String?
    public var metrics: [String]
    public var better: Direction
    public var location: SourceLocation
    /// Where each row's stage and each metric pattern is written (by row label, by pattern).
    public var rowLocations: [String: SourceLocation] = [:]
    public var metricLocations: [String: SourceLocation] = [:]
}
