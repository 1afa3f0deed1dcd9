/// Receives what happens during a run; the CLI prints it. Called from the executor's thread
/// except `progress`, which comes from the stage's own thread.
package protocol RunObserver: AnyObject, Sendable {
    func stageCached(_ id: String)
    func stageStarted(_ id: String, reason: RunReason)
    func stageSucceeded(_ id: String, seconds: Double)
    func stageFailed(_ id: String, error: String, log: String?)
    func stageSkipped(_ id: String, because: String)
    func stageInterrupted(_ id: String)
    func progress(_ id: String, fraction: Double, message: String)
    /// A line the stage wants seen without opening its log (where it resumed).
    func stageNotice(_ id: String, message: String)
}

extension RunObserver {
    package func stageNotice(_ id: String, message: String) {}
}

/// How a run ended.
package struct RunSummary: Sendable {
    package var runID: Int64
    package var executed: [String] = []
    package var cached: [String] = []
    package var failed: [String] = []
    package var skipped: [String] = []
    package var interrupted: [String] = []
    /// Stages not started because an earlier failure stopped the run (without --keep-going).
    package var notStarted: [String] = []

    package var succeeded: Bool { failed.isEmpty && interrupted.isEmpty && skipped.isEmpty && notStarted.isEmpty }
}
