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

/// `pleinair gc`: removes what no retained run and no experiment's spec needs.
struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gc",
        abstract: "Remove stored outputs that neither the last runs nor any experiment's spec as written need.",
        discussion: """
            Kept: the outputs of the last --keep runs of each experiment, the latest outputs of every stage, and \
            everything each experiment's spec file (as its last run named it, without that run's --set overrides) \
            would use now. An experiment whose spec is gone or no longer loads is named, and only --keep protects it.
            """)

    @Option(help: "Runs to retain per experiment.") var keep: Int = 1
    @Flag(help: "Say what would be removed; remove nothing.") var dryRun = false
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        let runner = try workspace.runner()
        let lock = try WorkspaceLock(path: runner.workspace.lockPath) { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
        defer { withExtendedLifetime(lock) {} }
        var retain = Set<String>()
        for name in try runner.ledger.experimentNames() {
            guard let file = try runner.ledger.runs(experiment: name, limit: 1).first?.file, !file.isEmpty else { continue }
            guard FileManager.default.fileExists(atPath: file) else {
                FileHandle.standardError.write(Data("gc: experiment '\(name)': its spec \(file) is gone; only --keep \(keep) protects its outputs\n".utf8))
                continue
            }
            do {
                retain.formUnion(try runner.plan(try runner.load(file)).stages.map(\.fingerprint))
            } catch {
                FileHandle.standardError.write(Data(("gc: experiment '\(name)': its spec \(file) no longer loads or plans; only --keep \(keep) "
                                                     + "protects its outputs:\n\(error)\n").utf8))
            }
        }
        let report = try StoreMaintenance(runner: runner).collectGarbage(keepRuns: keep, retain: retain, dryRun: dryRun)
        let bytes = ByteCountFormatter.string(fromByteCount: report.bytesFreed, countStyle: .file)
        print(dryRun ? "would remove \(report.objectsRemoved) objects (\(bytes)) and forget \(report.outputsForgotten) stage outputs; removed nothing"
                     : "removed \(report.objectsRemoved) objects (\(bytes)), forgot \(report.outputsForgotten) stage outputs")
    }
}
