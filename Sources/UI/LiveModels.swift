import Foundation

/// A run as the run list shows it: status, times, and how many stages ran, came from the store, failed.
package struct RunRow: Codable, Sendable {
    package var id: Int64
    package var experiment: String
    package var status: String
    package var startedAt: Double
    package var finishedAt: Double?
    package var ran: Int
    package var cached: Int
    package var failed: Int
    package var running: Int
}

/// An experiment and its runs, newest first.
package struct ExperimentRow: Codable, Sendable {
    package var name: String
    package var runs: [RunRow]
}

/// A stage in a run's DAG, placed, with its live state.
package struct GraphNode: Codable, Sendable {
    package var id: String
    package var kind: String
    /// cached, waiting, running, done, failed, interrupted, skipped.
    package var state: String
    package var fingerprint: String?
    package var x: Double
    package var y: Double
    package var startedAt: Double?
    package var finishedAt: Double?
    /// For a running stage: how long this stage took the last time it succeeded, the basis of its ETA.
    package var typicalSeconds: Double?
    /// For a running stage that reports progress: the fraction done and its message (`iteration 40/200, ETA 3 min`).
    package var progress: Double?
    package var progressMessage: String?
    package var reason: String?
}

/// An edge of the DAG: `output→input`.
package struct GraphEdge: Codable, Sendable {
    package var from: String
    package var to: String
    package var label: String
}

/// A run's DAG with each stage's state at `now`.
package struct RunGraph: Codable, Sendable {
    package var run: RunRow
    package var nodes: [GraphNode]
    package var edges: [GraphEdge]
    package var width: Double
    package var height: Double
    package var now: Double
    package var nodeWidth: Double
    package var nodeHeight: Double
}

/// One recorded execution of a stage, as the stage page lists it.
package struct ExecutionRow: Codable, Sendable {
    package var run: Int64
    package var status: String
    package var reason: String?
    package var startedAt: Double?
    package var seconds: Double?
    package var cpuSeconds: Double?
    package var peakRSSKB: Int?
    package var host: String?
    package var error: String?
}

/// A named hash: an input, an output or a lineage row, with the stage it links to in this run if any.
package struct HashRow: Codable, Sendable {
    package var name: String
    package var hash: String
    package var detail: String?
    package var stage: String?
}

/// Everything the stage page shows.
package struct StagePage: Codable, Sendable {
    package var run: Int64
    package var stage: String
    package var kind: String
    package var state: String
    package var fingerprint: String?
    package var reason: String?
    package var params: [String: String]
    package var inputs: [HashRow]
    package var outputs: [HashRow]
    package var lineage: [HashRow]
    package var upstream: [String]
    package var downstream: [String]
    package var metrics: [String: Double]
    package var series: [String]
    package var executions: [ExecutionRow]
    package var log: String?
    package var logPath: String?
}

/// A run's metrics: one chart per series name (every stage that has it overlaid) and the scalars.
package struct MetricsPage: Codable, Sendable {
    package struct Chart: Codable, Sendable {
        package var metric: String
        package var points: Int
        /// Whether a running stage contributes points it reported so far (not yet in the ledger).
        package var live: Bool
        package var svg: String
    }
    package struct Scalar: Codable, Sendable {
        package var stage: String
        package var metric: String
        package var value: Double
    }
    package var run: Int64
    package var charts: [Chart]
    package var scalars: [Scalar]
}

/// A page of image files from stage outputs: one column per stage, a row per relative path.
package struct ImagesPage: Codable, Sendable {
    package struct Column: Codable, Sendable {
        package var stage: String
        package var fingerprint: String
        package var output: String
    }
    package var run: Int64
    package var output: String
    package var columns: [Column]
    package var rows: [String]
    package var total: Int
    package var offset: Int
    /// Output folders of the run's stages that hold images, as `stage/output` choices.
    package var outputs: [String]
}

/// The results of an experiment as of a run, the same views as `pleinair results`: the declared
/// (paper) tables, the table of every metric (each cell beside another run's when compared), and,
/// over replicates, mean ± interval and the comparisons' verdicts.
package struct ResultsPage: Codable, Sendable {
    package var run: Int64
    package var experiment: String
    package var header: [String]
    package var rows: [[String]]
    package var shared: [[String]]
    /// The experiment's declared tables, as HTML (Report's renderer, text escaped there).
    package var papers: [String]
    package var missing: [String]
    package var notes: [String]
    package var compare: Int64?
    /// With replicate axes: the table as mean ± interval over them, as `pleinair results` prints it.
    package var replicates: ReplicateResults?
    /// The declared comparisons in each row of that table, with their verdicts.
    package var comparisons: [ComparisonResult] = []
}
