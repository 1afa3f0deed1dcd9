import Basics
import Foundation

/// Runs each stage in a child process of the runner (`pleinair-stage JOB`, or `pleinair exec-stage
/// JOB`, the path cluster jobs take), so that a crash, an abort or an out-of-memory kill fails that
/// stage alone, each stage owns its OpenBLAS thread count (a process-wide setting), and the CPU
/// time and peak RSS recorded for it are its own. Kinds named in `inProcess` (`cmd`, which only
/// waits for its own shell; `cyclegan_dataset` and `pretrained`, which download) run on a thread here instead.
package final class ProcessBackend: ExecutionBackend {
    /// The command a job file is appended to: `[pleinair-stage]` or `[pleinair, exec-stage]`.
    package let command: [String]
    /// Variables the children get on top of this process's (e.g. the OpenBLAS kernel to load).
    package let environment: [String: String]
    package let inProcess: Set<String>
    private let local = LocalBackend()

    package init(command: [String], environment: [String: String] = [:], inProcess: Set<String> = ["cmd", "cyclegan_dataset", "pretrained"]) {
        self.command = command
        self.environment = environment
        self.inProcess = inProcess
    }

    /// The descriptor on which a child reports progress, as lines of `fraction<TAB>message`.
    package static let progressDescriptor: Int32 = 3
    static let progressVariable = "PLEINAIR_PROGRESS_FD"

    package func start(_ stage: Stage, context: StageContext, events: @escaping @Sendable (BackendEvent) -> Void) {
        let kind = stage.descriptor.kind
        guard !inProcess.contains(kind) else { return local.start(stage, context: context, events: events) }
        let thread = Thread { [command, environment] in
            let result = Result { try ProcessBackend.runChild(kind: kind, context: context, command: command, environment: environment) }
            events(.finished(JobOutcome(result: result, cpuSeconds: nil)))
        }
        thread.start()
    }

    /// OpenBLAS's settings for a stage's child: `threads` threads, OpenMP's pool kept to one, and
    /// how long idle OpenBLAS workers spin. They spin (sched_yield) for 2^28 cycles, about 0.1 s, after
    /// each threaded call, and through the patch loss's own threaded scans after a convolution they
    /// took a core from it: the loss cost 515-565 ms inside a training step and 330 ms alone
    /// (`pleinair-bench train` and `train-loss`, docs/training.md). 2^20 cycles (~0.4 ms) keeps them
    /// awake between a layer's calls and asleep through the loss: 283 ms inside the step. Scheduling
    /// only, no arithmetic changes; a timeout the user set (`inherited`) is kept.
    static func blasVariables(threads: Int, inherited: [String: String]) -> [String: String] {
        var variables = ["OPENBLAS_NUM_THREADS": String(max(1, threads)), "OMP_NUM_THREADS": "1"]
        if inherited["OPENBLAS_THREAD_TIMEOUT"] == nil { variables["OPENBLAS_THREAD_TIMEOUT"] = "20" }
        return variables
    }

    static func runChild(kind: String, context: StageContext, command: [String], environment: [String: String]) throws -> StageResult {
        let staging = context.outputs.values.first?.deletingLastPathComponent() ?? context.workDirectory.appendingPathComponent("staging")
        let jobFile = URL(fileURLWithPath: staging.path + ".job.json")
        let resultFile = StageJob.resultURL(for: jobFile)
        defer {
            try? FileManager.default.removeItem(at: jobFile)
            try? FileManager.default.removeItem(at: resultFile)
        }
        try? FileManager.default.removeItem(at: resultFile)
        try StageJob(kind: kind, context: context).write(to: jobFile)

        var pipe: [Int32] = [-1, -1]
        guard Glibc.pipe(&pipe) == 0 else { throw StageFailure.message("cannot create a pipe: \(errnoMessage())") }
        let readEnd = pipe[0], writeEnd = pipe[1]
        // Close-on-exec, so other stages' children do not inherit it; dup2 gives this child its fd 3.
        for fd in pipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let drained = DispatchSemaphore(value: 0)
        let reader = Thread {
            forwardProgress(from: readEnd, to: context.log)
            drained.signal()
        }
        reader.start()
        var childEnvironment = environment
        childEnvironment[progressVariable] = String(progressDescriptor)
        let inherited = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        childEnvironment.merge(blasVariables(threads: context.threads, inherited: inherited)) { $1 }
        let (status, cost) = try ChildProcess.run(command + [jobFile.path], environment: childEnvironment,
                                                  logFD: context.log.fileDescriptor, channel: writeEnd, cancellation: context.cancellation)
        drained.wait()  // every progress line is delivered before the stage is reported finished
        try context.checkCancelled()
        guard let data = try? Data(contentsOf: resultFile), let result = try? JSONDecoder().decode(StageJob.Result.self, from: data) else {
            throw StageFailure.message(crashMessage(status: status, log: context.log.url))
        }
        guard result.ok else { throw StageFailure.message(result.error ?? "the stage failed (exit status \(status))") }
        return StageResult(metrics: result.metrics.map { Metric(name: $0.name, value: $0.value, step: $0.step) }, cost: cost)
    }

    /// Reads `fraction<TAB>message` lines until the child closes its end.
    static func forwardProgress(from fd: Int32, to log: StageLog) {
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var pending = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
                if parts.first == "note", parts.count > 1 {
                    log.forwardNotice(String(parts[1]))
                } else if let fraction = parts.first.flatMap({ Double($0) }) {
                    log.progress(fraction, parts.count > 1 ? String(parts[1]) : "")
                }
            }
        }
    }

    /// Why a child ended without a result: the signal or status, and the end of its log.
    static func crashMessage(status: Int32, log: URL) -> String {
        let how: String
        if status > 128 {
            let signal = status - 128
            let name = [4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL (out of memory?)", 11: "SIGSEGV", 15: "SIGTERM"][signal]
            how = "the stage's process was killed by signal \(signal)" + (name.map { " (\($0))" } ?? "")
        } else {
            how = "the stage's process exited with status \(status) without a result"
        }
        // The Swift runtime appends a backtrace to the log; what the stage wrote before it says more.
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let backtrace = text.range(of: "\n*** Signal ") ?? text.range(of: "\n*** Program crashed")
        let before = backtrace.map { String(text[..<$0.lowerBound]) } ?? text
        let tail = before.split(separator: "\n").suffix(8).joined(separator: "\n")
        let note = backtrace == nil ? "" : "\n(a backtrace follows in the log)"
        return tail.isEmpty ? how + note : how + "; the log ends:\n" + tail + note
    }
}
