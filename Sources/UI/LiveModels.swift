import Foundation

/// A run as the run list shows it: status, times, and how many stages ran, came from the store, failed.
public struct RunRow: Codable, Sendable {
    public var id: Int64
    public var experiment: String
    public var status: String
    public var startedAt: Double
    public var finishedAt: Double?
    public var ran: Int
    public var cached: Int
    public var failed: Int
    public var running: Int
}

/// An experiment and its runs, newest first.
public struct ExperimentRow: Codable, Sendable {
    public var name: String
    public var runs: [RunRow]
}

/// A stage in a run's DAG, placed, with its live state.
public struct GraphNode: Codable, Sendable {
    public var id: String
    public var kind: String
    /// cached, waiting, running, done, failed, interrupted, skipped.
    public var state: String
    public var fingerprint: String?
    public var x: Double
    public var y: Double
    public var startedAt: Double?
    public var finishedAt: Double?
    /// For a running stage: how long this stage took the last time it succeeded, the basis of its ETA.
    public var typicalSeconds: Double?
    /// For a running stage that reports progress: the fraction done and its message (`iteration 40/200, ETA 3 min`).
    public var progress: Double?
    public var progressMessage: String?
    public var reason: String?
}

/// An edge of the DAG: `output→input`.
public struct GraphEdge: Codable, Sendable {
    public var from: String
    public var to: String
    public var label: String
}

/// A run's DAG with each stage's state at `now`.
public struct RunGraph: Codable, Sendable {
    public var run: RunRow
    public var nodes: [GraphNode]
    public var edges: [GraphEdge]
    public var width: Double
    public var height: Double
    public var now: Double
    public var nodeWidth: Double
    public var nodeHeight: Double
}

/// One recorded execution of a stage, as the stage page lists it.
public struct ExecutionRow: Codable, Sendable {
    public var run: Int64
    public var status: String
    public var reason: String?
    public var startedAt: Double?
    public var seconds: Double?
    public var cpuSeconds: Double?
    public var peakRSSKB: Int?
    public var host: String?
    public var error: String?
}

/// A named hash: an input, an output or a lineage row, with the stage it links to in this run if any.
public struct HashRow: Codable, Sendable {
    public var name: String
    public var hash: String
    public var detail: String?
    public var stage: String?
}

/// Everything the stage page shows.
public struct StagePage: Codable, Sendable {
    public var run: Int64
    public var stage: String
    public var kind: String
    public var state: String
    public var fingerprint: String?
    public var reason: String?
    public var params: [String: String]
    public var inputs: [HashRow]
    public var outputs: [HashRow]
    public var lineage: [HashRow]
    public var upstream: [String]
    public var downstream: [String]
    public var metrics: [String: Double]
    public var series: [String]
    public var executions: [ExecutionRow]
    public var log: String?
    public var logPath: String?
}

/// A run's metrics: one chart per series name (every stage that has it overlaid) and the scalars.
public struct MetricsPage: Codable, Sendable {
    public struct Chart: Codable, Sendable {
        public var metric: String
        public var points: Int
        /// Whether a running stage contributes points it reported so far (not yet in the ledger).
        public var live: Bool
        public var svg: String
    }
    public struct Scalar: Codable, Sendable {
        public var stage: String
        public var metric: String
        public var value: Double
    }
    public var run: Int64
    public var charts: [Chart]
    public var scalars: [Scalar]
}

/// A page of image files from stage outputs: one column per stage, a row per relative path.
public struct ImagesPage: Codable, Sendable {
    public struct Column: Codable, Sendable {
        public var stage: String
        public var fingerprint: String
        public var output: String
    }
    public var run: Int64
    public var output: String
    public var columns: [Column]
    public var rows: [String]
    public var total: Int
    public var offset: Int
    /// Output folders of the run's stages that hold images, as `stage/output` choices.
    public var outputs: [String]
}

/// The results of an experiment as of a run, the same views as `pleinair results`: the declared
/// (paper) tables, the table of every metric (each cell beside another run's when compared), and,
/// over replicates, mean ± interval and the comparisons' verdicts.
public struct ResultsPage: Codable, Sendable {
    public var run: Int64
    public var experiment: String
    public var header: [String]
    public var rows: [[String]]
    public var shared: [[String]]
    /// The experiment's declared tables, as HTML (Report's renderer, text escaped there).
    public var papers: [String]
    public var missing: [String]
    public var notes: [String]
    public var compare: Int64?
    /// With replicate axes: the table as mean ± interval over them, as `pleinair results` prints it.
    public var replicates: ReplicateResults?
    /// The declared comparisons in each row of that table, with their verdicts.
    public var comparisons: [ComparisonResult] = []
}
