import ArgumentParser
import Foundation
import Pipeline

/// `pleinair verify`: re-hashes every stored object.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify",
        abstract: "Re-hash every stored object; outputs that are corrupt are forgotten and recomputed by the next run.")

    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        let runner = try workspace.runner()
        let lock = try WorkspaceLock(path: runner.workspace.lockPath) { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
        defer { withExtendedLifetime(lock) {} }
        let report = try StoreMaintenance(runner: runner).verify()
        if json {
            print(JSON.text(["objects_checked": report.objectsChecked, "corrupt": report.corruptObjects, "invalidated": report.invalidated]))
        } else {
            print("\(report.objectsChecked) objects checked, \(report.corruptObjects.count) corrupt")
            for hash in report.corruptObjects { print("  corrupt object \(hash)") }
            for fp in report.invalidated { print("  outputs of \(fp.prefix(16))… will be recomputed by the next run") }
        }
        if !report.corruptObjects.isEmpty || !report.invalidated.isEmpty { throw CLIExit(code: 1) }
    }
}

/// `pleinair gc`: removes what no retained run needs.
struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gc", abstract: "Remove stored outputs that no retained run needs.")

    @Option(help: "Runs to retain per experiment.") var keep: Int = 1
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        let runner = try workspace.runner()
        let lock = try WorkspaceLock(path: runner.workspace.lockPath) { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
        defer { withExtendedLifetime(lock) {} }
        let report = try StoreMaintenance(runner: runner).collectGarbage(keepRuns: keep)
        print("removed \(report.objectsRemoved) objects (\(ByteCountFormatter.string(fromByteCount: report.bytesFreed, countStyle: .file))), forgot \(report.outputsForgotten) stage outputs")
    }
}
