import Foundation

/// OpenBLAS reads `OPENBLAS_CORETYPE` when it loads, before `main`, and misdetects this CPU
/// (PLATFORM.md). When numeric stages are about to run, the program re-executes itself once
/// with the variable set to the fastest kernel the CPU supports, unless the user chose one.
/// Commands that do no numeric work (a fully cached run, status, results) skip the cost.
enum BLASRelaunch {
    static func relaunchIfNeeded() {
        guard getenv("OPENBLAS_CORETYPE") == nil, getenv("PLEINAIR_NO_RELAUNCH") == nil,
              let core = preferredCoreType() else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        let args = CommandLine.arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", args)
        // execv returns only on failure: carry on with the slower kernel.
    }

    /// SkylakeX where AVX-512 is available, Haswell where AVX2 is, else OpenBLAS's own choice.
    static func preferredCoreType() -> String? {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        if flags.contains("avx512f") && flags.contains("avx512bw") { return "SkylakeX" }
        if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
        return nil
    }
}
