import COpenBLAS
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one door to OpenBLAS's process-wide settings (its kernel choice and thread pool).
public enum BLASKernel {
    /// Environment variable OpenBLAS reads once, when it loads, to pick its kernel.
    public static let coreTypeVariable = "OPENBLAS_CORETYPE"

    /// Name of the kernel OpenBLAS is running (e.g. "SkylakeX", or "Prescott" when it misdetected the CPU).
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Number of threads OpenBLAS uses for one call.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Stops OpenBLAS's worker threads, which spin on a core for about a tenth of a second after the
    /// library loads: for a process that does no BLAS work itself (`pleinair run`, whose numeric
    /// stages run in child processes), on a busy machine that core is taken from its own work. A
    /// later threaded BLAS call starts them again.
    public static func stopWorkerThreads() {
        _ = blas_thread_shutdown_()
    }

    /// Sets OpenBLAS's thread count (1 makes results bit-reproducible run to run).
    public static func setThreadCount(_ n: Int) {
        precondition(n > 0, "thread count must be positive")
        openblas_set_num_threads(Int32(n))
    }

    private static let splitLock = NSLock()
    nonisolated(unsafe) private static var splitDepth = 0
    nonisolated(unsafe) private static var splitSavedCount = 1

    /// Runs `count` independent BLAS calls (`body(i)` for i in 0..<count), spread over the threads
    /// with each call single-threaded: for many small products, cheaper than letting OpenBLAS split
    /// every one of them. OpenBLAS's thread count is process-wide, so while this runs, BLAS calls
    /// from other threads run single-threaded too (same results, only slower). Calls from several
    /// threads at once nest: the count the first one found is restored when the last one ends.
    public static func splittingCalls(_ count: Int, _ body: (Int) -> Void) {
        splitLock.lock()
        if splitDepth == 0 { splitSavedCount = threadCount }
        let threads = min(splitSavedCount, count)
        splitDepth += 1
        openblas_set_num_threads(1)
        splitLock.unlock()
        defer {
            splitLock.lock()
            splitDepth -= 1
            if splitDepth == 0 { openblas_set_num_threads(Int32(splitSavedCount)) }
            splitLock.unlock()
        }
        guard threads > 1 else { for i in 0..<count { body(i) }; return }
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for i in (count * t / threads)..<(count * (t + 1) / threads) { body(i) }
        }
    }

    /// The kernel this CPU should use, from /proc/cpuinfo flags: "SkylakeX" with AVX-512F,
    /// "Haswell" with AVX2, nil when autodetection is good enough or the flags cannot be read.
    public static func preferredCoreType(cpuinfo: String? = nil) -> String? {
        guard let text = cpuinfo ?? (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) else { return nil }
        guard let flagsLine = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(flagsLine.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" }))
        if flags.contains("avx512f") { return "SkylakeX" }
        if flags.contains("avx2") { return "Haswell" }
        return nil
    }

    /// Whether the environment already names a kernel (so a re-exec is unnecessary).
    public static var coreTypeIsSet: Bool { getenv(coreTypeVariable) != nil }

    /// The environment a re-executed process should get so OpenBLAS loads its fast kernel, or nil
    /// when `environment` already names one or this CPU needs none (so no re-exec is needed).
    public static func environmentForPreferredKernel(_ environment: [String: String],
                                                     cpuinfo: String? = nil) -> [String: String]? {
        guard environment[coreTypeVariable] == nil, let core = preferredCoreType(cpuinfo: cpuinfo) else { return nil }
        var env = environment
        env[coreTypeVariable] = core
        return env
    }
}
