import Foundation

/// Options of one `run`.
package struct RunOptions: Sendable {
    package var only: [String] = []
    package var force: [String] = []
    package var jobs: Int = 1
    package var keepGoing = false
    package var dryRun = false
    package var threadsPerStage = 1
    package var argv: [String] = []

    package init() {}
}

/// A workspace opened for planning and running: ledger, hasher and store together.
package final class Runner {
    package let workspace: Workspace
    package let ledger: Ledger
    package let hasher: ContentHasher
    /// What workspace scripts import and source, by content hash (see `CodeClosure`).
    package let scripts: ScriptReferenceCache
    package let store: ArtifactStore
    package let stages: [Stage]

    package init(workspace: Workspace, stages: [Stage]) throws {
        self.workspace = workspace
        try workspace.prepare()
        ledger = try Ledger(path: workspace.ledgerPath)
        hasher = try ContentHasher(cache: ledger)
        scripts = ScriptReferenceCache(store: ledger)
        store = ArtifactStore(workspace: workspace, hasher: hasher)
        self.stages = stages
    }

    package var descriptors: [StageDescriptor] { stages.map(\.descriptor) }

    /// Loads, validates and expands an experiment file.
    package func load(_ path: String, overrides: [String: String] = [:]) throws -> Experiment {
        try SpecExpander.load(path, kinds: descriptors, overrides: overrides)
    }

    /// Removes staging left by runs that died (their outputs were never stored). Call with the
    /// lock held; staging of cluster jobs an earlier controller may re-attach to is kept.
    func sweepStaging() throws {
        let live = Set(try ledger.unfinishedJobs().map { "\($0.fingerprint)-\($0.execution)" })
        for name in (try? FileManager.default.contentsOfDirectory(atPath: workspace.tmp.path)) ?? [] {
            let stem = name.components(separatedBy: ".").first ?? name
            if !live.contains(stem) { try? ArtifactStore.removeTree(workspace.tmp.appendingPathComponent(name)) }
        }
    }

    /// Plans an experiment against the current store and ledger.
    package func plan(_ experiment: Experiment, force: [String] = []) throws -> Plan {
        let environment = StoreEnvironment(workspace: workspace, ledger: ledger, store: store, hasher: hasher, scripts: scripts)
        // Planning only reads the ledger (what it learns about files is written by the flushes
        // below): one snapshot for all of it, two questions a stage.
        let selection = try selected(force, in: experiment)
        let plan = try ledger.reading { try Planner.plan(experiment, environment: environment, force: selection) }
        try hasher.flush()
        try scripts.flush()
        return plan
    }

    /// Instance ids named by selectors (stage names or instance ids); unknown selectors are errors.
    package func selected(_ selectors: [String], in experiment: Experiment) throws -> Set<String> {
        var ids = Set<String>()
        for selector in selectors {
            let matched = experiment.instances.filter { $0.matches(selector) }.map(\.id)
            if matched.isEmpty {
                let names = Array(Set(experiment.instances.map(\.stageName))).sorted()
                throw RunnerError.unknownStage(selector, DidYouMean.suffix(for: selector, in: names + experiment.instances.map(\.id)))
            }
            ids.formUnion(matched)
        }
        return ids
    }

    /// Plans and runs an experiment; takes the workspace lock for the whole run.
    package func run(_ experiment: Experiment, options: RunOptions, backend: ExecutionBackend = LocalBackend(),
                    observer: RunObserver, onWait: (String) -> Void = { _ in },
                    onExecutor: (Executor) -> Void = { _ in }) throws -> (plan: Plan, summary: RunSummary?) {
        let lock = try WorkspaceLock(path: workspace.lockPath, onWait: onWait)
        defer { withExtendedLifetime(lock) {} }
        _ = try ledger.recoverInterrupted()
        try sweepStaging()
        // Selectors are checked against the whole experiment; only what --only needs is planned.
        let forced = try selected(options.force, in: experiment)
        let scope = options.only.isEmpty ? experiment : experiment.restricted(to: try selected(options.only, in: experiment))
        let plan = try self.plan(scope, force: forced.filter { scope.instance($0) != nil }.sorted())
        if options.dryRun { return (plan, nil) }
        let runID = try ledger.beginRun(experiment: experiment.name, file: experiment.file, argv: options.argv, plan: plan.stages)
        let executor = Executor(workspace: workspace, ledger: ledger, store: store, backend: backend, stages: stages, observer: observer)
        onExecutor(executor)
        let summary = try executor.run(plan, runID: runID, jobs: options.jobs, keepGoing: options.keepGoing,
                                       threadsPerStage: options.threadsPerStage)
        try hasher.flush()
        let status = summary.interrupted.isEmpty ? (summary.succeeded ? "succeeded" : "failed") : "interrupted"
        try ledger.finishRun(runID, status: status)
        return (plan, summary)
    }
}

/// Errors about what the user asked of the runner.
package enum RunnerError: Error, CustomStringConvertible {
    case unknownStage(String, String)
    case unknownRun(String)

    package var description: String {
        switch self {
        case .unknownStage(let s, let hint): return "no stage '\(s)' in this experiment\(hint)"
        case .unknownRun(let r): return "no run '\(r)' in the ledger"
        }
    }
}
