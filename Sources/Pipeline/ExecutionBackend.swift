import Foundation

/// The result of one stage job.
package struct JobOutcome: Sendable {
    package var result: Result<StageResult, Error>
    package var cpuSeconds: Double?

    package init(result: Result<StageResult, Error>, cpuSeconds: Double?) {
        self.result = result
        self.cpuSeconds = cpuSeconds
    }
}

/// What a cluster reports about one job.
package struct ClusterJobStatus: Sendable, Equatable {
    package var jobID: String
    package var state: String
    package var node: String?
    package var elapsed: String?
    package var maxRSSKB: Int?
    package var reason: String?

    package init(jobID: String, state: String, node: String? = nil, elapsed: String? = nil, maxRSSKB: Int? = nil, reason: String? = nil) {
        self.jobID = jobID
        self.state = state
        self.node = node
        self.elapsed = elapsed
        self.maxRSSKB = maxRSSKB
        self.reason = reason
    }
}

/// What a backend tells the executor about a job it started.
package enum BackendEvent: Sendable {
    /// A cluster job was submitted, or its state changed; the executor records it in the ledger.
    case job(ClusterJobStatus)
    /// The stage ended. Sent exactly once, last.
    case finished(JobOutcome)
}

/// Where stages run. The executor decides what and when; a backend decides where and how
/// (threads in this process, or jobs on a cluster).
package protocol ExecutionBackend: AnyObject {
    /// Starts `stage` with `context`; reports through `events` from any thread, ending with `.finished`.
    func start(_ stage: Stage, context: StageContext, events: @escaping @Sendable (BackendEvent) -> Void)
    /// Whether starting this fingerprint attaches to a job an earlier run left running (whose log
    /// must then be appended to, not truncated).
    func resumes(fingerprint: String) -> Bool
    /// Memory (MB) the stages' declared `resources.memory` must share, or nil where each job gets
    /// its own (a cluster node's, which the scheduler enforces).
    var memoryBudgetMB: Int? { get }
}

extension ExecutionBackend {
    package func resumes(fingerprint: String) -> Bool { false }
    /// This machine's memory: stages run here.
    package var memoryBudgetMB: Int? { Int(ProcessInfo.processInfo.physicalMemory / (1 << 20)) }
}

/// Runs each stage on its own thread in this process.
package final class LocalBackend: ExecutionBackend {
    package init() {}

    package func start(_ stage: Stage, context: StageContext, events: @escaping @Sendable (BackendEvent) -> Void) {
        let thread = Thread {
            let before = LocalBackend.threadCPUSeconds()
            let result = Result { try stage.run(context) }
            events(.finished(JobOutcome(result: result, cpuSeconds: LocalBackend.threadCPUSeconds() - before)))
        }
        thread.stackSize = 64 << 20
        thread.start()
    }

    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
