import Foundation

/// The result of one stage job.
public struct JobOutcome: Sendable {
    public var result: Result<StageResult, Error>
    public var cpuSeconds: Double?
}

/// Where stages run. The executor decides what and when; a backend decides where and how
/// (threads in this process, or jobs on a cluster).
public protocol ExecutionBackend: AnyObject {
    /// Starts `stage` with `context`; calls `completion` exactly once, from any thread.
    func start(_ stage: Stage, context: StageContext, completion: @escaping @Sendable (JobOutcome) -> Void)
}

/// Runs each stage on its own thread in this process.
public final class LocalBackend: ExecutionBackend {
    public init() {}

    public func start(_ stage: Stage, context: StageContext, completion: @escaping @Sendable (JobOutcome) -> Void) {
        let thread = Thread {
            let before = LocalBackend.threadCPUSeconds()
            let result = Result { try stage.run(context) }
            completion(JobOutcome(result: result, cpuSeconds: LocalBackend.threadCPUSeconds() - before))
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
