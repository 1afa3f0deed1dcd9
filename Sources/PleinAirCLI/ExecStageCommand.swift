import ArgumentParser
import Foundation
import Pipeline
import Stages

/// `pleinair exec-stage JOB.json`: runs one stage described by a job file (what a Slurm job
/// runs on a compute node). Writes the result beside the job file; the controller ingests it.
struct ExecStageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exec-stage", abstract: "Run one stage from a job file (used by cluster backends).",
                                                    shouldDisplay: false)

    @Argument(help: "The job file written by the controller.") var jobFile: String

    func run() throws {
        let job = try StageJob.read(URL(fileURLWithPath: jobFile))
        if job.kind != "cmd" { BLASRelaunch.relaunchIfNeeded() }
        let cancellation = Cancellation()
        let interrupt = InterruptHandler()
        interrupt.onInterrupt { cancellation.cancel() }
        let ok = try StageJob.execute(URL(fileURLWithPath: jobFile), stages: AllStages.all, cancellation: cancellation)
        if !ok { throw CLIExit(code: cancellation.isCancelled ? 130 : 1) }
    }
}
