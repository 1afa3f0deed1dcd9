import ArgumentParser
import Foundation
import Pipeline
import Tensor

/// `pleinair run`: plans and runs experiments; only stale stages execute.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run experiments; stages whose fingerprint is cached are reused.")

    @Argument(help: "Experiment files (YAML).") var files: [String]
    @Option(help: "Run only this stage (name or instance id such as train@monet) and what it needs. Repeatable.") var only: [String] = []
    @Option(help: "Run this stage even if cached. Repeatable.") var force: [String] = []
    @Flag(help: "Show what would run, and why, without running.") var dryRun = false
    @Option(name: .short, help: "CPUs to keep busy with stages at once (default 1 locally, 64 jobs on Slurm).") var j: Int?
    @Option(help: "Where stages run: local (this machine) or slurm (sbatch jobs; see the experiment's `executor: slurm:` section).")
    var executor: ExecutorKind = .local
    @Option(help: "Threads each numeric stage may use.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "After a failure, keep running the stages that do not depend on it.") var keepGoing = false
    @Flag(help: "Print a JSON summary instead of progress lines.") var json = false
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        // Nothing here multiplies matrices (numeric stages run in children, with their own threads):
        // OpenBLAS's spinning workers would only compete with planning for the cores.
        BLASKernel.stopWorkerThreads()
        let runner = try workspace.runner()
        let experiments = try files.map { try workspace.load($0, with: runner) }
        var summaries: [[String: Any]] = []
        var worst: Int32 = 0
        for experiment in experiments {
            var options = RunOptions()
            options.only = only
            options.force = force
            options.jobs = j ?? (executor == .slurm ? 64 : 1)
            options.keepGoing = keepGoing
            options.dryRun = dryRun
            options.threadsPerStage = max(1, threads)
            options.argv = CommandLine.arguments
            let observer = ConsoleObserver(quiet: json)
            if !json { FileHandle.standardError.write(Data("\(experiment.name) (\(experiment.file))\n".utf8)) }
            let interrupt = InterruptHandler()
            let backend: ExecutionBackend
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            switch executor {
            case .local:
                // Numeric stages run as children that load OpenBLAS's fast kernel from the start.
                // pleinair-stage beside this executable starts faster; without it, this one runs the stage.
                let stageProcess = URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("pleinair-stage").path
                backend = ProcessBackend(command: FileManager.default.isExecutableFile(atPath: stageProcess) ? [stageProcess] : [executable, "exec-stage"],
                                         environment: BLASKernel.environmentForPreferredKernel(ProcessInfo.processInfo.environment) ?? [:])
            case .slurm:
                backend = SlurmBackend(config: experiment.slurm ?? SlurmConfig(), client: SlurmClient(), executable: executable,
                                       unfinished: try runner.ledger.unfinishedJobs())
            }
            let (plan, summary) = try runner.run(experiment, options: options, backend: backend, observer: observer,
                                                 onWait: { FileHandle.standardError.write(Data("\($0)\n".utf8)) },
                                                 onExecutor: { executor in interrupt.onInterrupt { executor.cancellation.cancel() } })
            guard let summary else {
                if json {
                    summaries.append(["experiment": experiment.name, "dry_run": true,
                                      "stages": plan.stages.map { ["stage": $0.instance.id, "fingerprint": $0.fingerprint, "decision": StatusCommand.describe($0.decision)] }])
                } else {
                    print(StatusCommand.render(plan))
                }
                continue
            }
            let code: Int32 = !summary.interrupted.isEmpty ? 130 : (summary.succeeded ? 0 : 1)
            worst = max(worst, code)
            if json {
                summaries.append(["experiment": experiment.name, "run": summary.runID, "executed": summary.executed,
                                  "cached": summary.cached, "failed": summary.failed, "skipped": summary.skipped,
                                  "interrupted": summary.interrupted, "not_started": summary.notStarted])
            } else {
                var line = "\(experiment.name): run \(summary.runID): \(summary.executed.count) ran, \(summary.cached.count) cached"
                if !summary.failed.isEmpty { line += ", \(summary.failed.count) failed" }
                if !summary.skipped.isEmpty { line += ", \(summary.skipped.count) skipped" }
                if !summary.notStarted.isEmpty { line += ", \(summary.notStarted.count) not started" }
                if !summary.interrupted.isEmpty { line += ", interrupted" }
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
            if code == 130 { break }
        }
        if json { print(JSON.text(summaries.count == 1 ? summaries[0] : summaries)) }
        if worst != 0 { throw CLIExit(code: worst) }
    }
}

/// Where `run` executes stages.
enum ExecutorKind: String, ExpressibleByArgument {
    case local, slurm
}

/// Turns SIGINT and SIGTERM into a clean cancellation: running stages stop, nothing half-done is recorded.
final class InterruptHandler {
    private var sources: [DispatchSourceSignal] = []

    func onInterrupt(_ handler: @escaping () -> Void) {
        for signo in [SIGINT, SIGTERM] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler {
                FileHandle.standardError.write(Data("\ninterrupted: stopping running stages…\n".utf8))
                handler()
            }
            source.resume()
            sources.append(source)
        }
    }
}

/// JSON text for `--json` output.
enum JSON {
    static func text(_ object: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
