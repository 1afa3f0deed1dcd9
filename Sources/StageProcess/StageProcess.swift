import Foundation
import Pipeline
import Stages

/// `pleinair-stage JOB.json`: runs one built-in stage for the runner, in a process of its own
/// (`ProcessBackend`). It is `pleinair exec-stage` without the command line, the download code and
/// the network stack, so a stage's process starts in less time. The runner hands it the OpenBLAS
/// kernel and thread count in its environment; the result goes beside the job file.
@main
enum StageProcess {
    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count == 2 else {
            FileHandle.standardError.write(Data("usage: pleinair-stage JOB.json (run by pleinair's runner)\n".utf8))
            exit(2)
        }
        do {
            let ok = try StageJob.execute(URL(fileURLWithPath: arguments[1]), stages: BuiltinStages.all, cancellation: Cancellation())
            exit(ok ? 0 : 1)
        } catch {
            FileHandle.standardError.write(Data("pleinair-stage: \(error)\n".utf8))
            exit(1)
        }
    }
}
