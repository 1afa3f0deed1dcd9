import Foundation

/// The calling thread's scheduler statistics (Linux `/proc/thread-self/schedstat`): its CPU time and
/// its run delay, the time it was ready to run but waited for a CPU. The load test takes run delay
/// out of a run's time, so what other processes on a shared machine cost the run does not count
/// against the view, while everything else (ledger waits, I/O, a slower CPU) still does.
struct SchedStat {
    var cpuSeconds: Double
    var runDelaySeconds: Double

    /// Nil where the kernel does not keep the statistics.
    static func thread() -> SchedStat? {
        guard let text = try? String(contentsOfFile: "/proc/thread-self/schedstat", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard fields.count >= 2 else { return nil }
        return SchedStat(cpuSeconds: fields[0] / 1e9, runDelaySeconds: fields[1] / 1e9)
    }

    /// CPU time and run delay of the threads `WorkStage` ran on, summed since the process started.
    static let stages = Totals()

    final class Totals: @unchecked Sendable {
        private let lock = NSLock()
        private var sum = SchedStat(cpuSeconds: 0, runDelaySeconds: 0)
        var total: SchedStat { lock.lock(); defer { lock.unlock() }; return sum }
        func add(from start: SchedStat, to end: SchedStat) {
            lock.lock()
            sum.cpuSeconds += end.cpuSeconds - start.cpuSeconds
            sum.runDelaySeconds += end.runDelaySeconds - start.runDelaySeconds
            lock.unlock()
        }
    }
}
