import Foundation
import Tensor

/// OpenBLAS reads `OPENBLAS_CORETYPE` when it loads, before `main`, and misdetects this CPU
/// (PLATFORM.md). When numeric stages are about to run, the program re-executes itself once
/// with the variable set to the fastest kernel the CPU supports, unless the user chose one.
/// Commands that do no numeric work (a fully cached run, status, results) skip the cost.
enum BLASRelaunch {
    static func relaunchIfNeeded() {
        guard getenv("PLEINAIR_NO_RELAUNCH") == nil,
              let environment = BLASKernel.environmentForPreferredKernel(ProcessInfo.processInfo.environment) else { return }
        let args = CommandLine.arguments.map { strdup($0) } + [nil]
        let env = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        execve("/proc/self/exe", args, env)
        // execve returns only on failure: carry on with the slower kernel.
    }
}
