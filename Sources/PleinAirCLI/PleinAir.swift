import ArgumentParser
import Foundation
import Pipeline
import Stages
import Study

/// The `pleinair` command.
struct PleinAir: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pleinair",
        abstract: "Declarative experiment runner for painting-to-photo translation research.",
        discussion: """
            Exit codes:
              0    success
              1    run: a stage failed; verify: corrupt or missing objects were found (and forgotten, so the next run recomputes them)
              2    a bad spec (every problem in it, each at FILE:LINE:COL), missing input files, or a bad request
              3    the workspace, its store or its ledger cannot be read or written
              130  interrupted
            Progress and errors go to stderr; tables, JSON and other machine formats to stdout.
            """,
        subcommands: [RunCommand.self, StatusCommand.self, DagCommand.self, ResultsCommand.self, ShowCommand.self,
                      RunsCommand.self, DiffCommand.self, GCCommand.self, VerifyCommand.self, KindsCommand.self, WeightsCommand.self,
                      StudyCommand.self, UICommand.self, ExecStageCommand.self])

    /// Runs the command line, translating errors into messages and exit codes.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch let error as CLIExit {
            Foundation.exit(error.code)
        } catch {
            if let (message, code) = CLIErrors.translate(error) {
                FileHandle.standardError.write(Data((message + "\n").utf8))
                Foundation.exit(code)
            }
            exit(withError: error)
        }
    }
}

/// Options every command that opens a workspace takes.
struct WorkspaceOptions: ParsableArguments {
    @Option(name: .long, help: "The workspace folder holding artifacts/ and the ledger (default: the current folder).")
    var workspace: String = "."

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a variable of the experiment: NAME=VALUE. Repeatable.", valueName: "name=value"))
    var overrides: [String] = []

    func runner() throws -> Runner {
        try Runner(workspace: Workspace(root: URL(fileURLWithPath: workspace)), stages: AllStages.all)
    }

    /// Loads an experiment with the `--set` overrides applied.
    func load(_ file: String, with runner: Runner) throws -> Experiment {
        var values: [String: String] = [:]
        for item in overrides {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw CLIUsageError(message: "--set takes NAME=VALUE, got '\(item)'")
            }
            values[String(item[..<equals])] = String(item[item.index(after: equals)...])
        }
        let experiment = try runner.load(file, overrides: values)
        for warning in experiment.warnings { FileHandle.standardError.write(Data((warning.description + "\n").utf8)) }
        return experiment
    }
}

/// Ends the program with a code after output was already printed.
struct CLIExit: Error {
    var code: Int32
}

/// Turns library errors into one message and an exit code: 2 for bad specs and bad requests,
/// 3 for problems with the workspace, its store or ledger.
enum CLIErrors {
    static func translate(_ error: Error) -> (String, Int32)? {
        switch error {
        case let e as SpecError: return (e.description + "\n\(e.diagnostics.count) error\(e.diagnostics.count == 1 ? "" : "s")", 2)
        case let e as PlanError:
            return (e.description + "\n\(e.problems.count) missing input\(e.problems.count == 1 ? "" : "s"); nothing ran", 2)
        case let e as RunnerError: return ("error: \(e)", 2)
        case let e as SQLiteError: return ("error: \(e)", 3)
        case let e as StoreError: return ("error: store: \(e)", 3)
        case let e as HashError: return ("error: \(e)", 3)
        case let e as CLIUsageError: return ("error: \(e.message)", 2)
        case let e as StudyError: return ("error: \(e)", 2)
        default: return nil
        }
    }
}

/// A request the CLI cannot honour.
struct CLIUsageError: Error {
    var message: String
}
