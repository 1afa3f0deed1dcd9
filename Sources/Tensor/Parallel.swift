import Dispatch

/// Splits the engine's own loops across as many threads as OpenBLAS uses, so one setting
/// (`BLASKernel.setThreadCount`) governs all parallelism. Each index is handled by exactly one
/// thread with the same arithmetic as a serial loop, so results do not depend on the split.
public enum Parallel {
    /// Calls `body` on disjoint, contiguous sub-ranges covering 0..<count; stays serial when each
    /// thread would get less than `grain` units of work (`work` units per index).
    public static func forEachRange(_ count: Int, work: Int = 1, grain: Int = 1 << 15,
                                    _ body: (Range<Int>) -> Void) {
        let threads = min(BLASKernel.threadCount, count, max(1, count * work / grain))
        if threads <= 1 { body(0..<count); return }
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            body((count * t / threads)..<(count * (t + 1) / threads))
        }
    }
}
