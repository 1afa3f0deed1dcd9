import Foundation

/// Runs a plan: stages whose inputs are ready run in parallel within the CPU budget, each
/// recorded as started before it runs and finished after; outputs enter the store only on success.
package final class Executor {
    let workspace: Workspace
    let ledger: Ledger
    let store: ArtifactStore
    let backend: ExecutionBackend
    let stages: [String: Stage]
    let observer: RunObserver
    package let cancellation = Cancellation()

    package init(workspace: Workspace, ledger: Ledger, store: ArtifactStore, backend: ExecutionBackend,
                stages: [Stage], observer: RunObserver) {
        self.workspace = workspace
        self.ledger = ledger
        self.store = store
        self.backend = backend
        self.stages = Dictionary(stages.map { ($0.descriptor.kind, $0) }, uniquingKeysWith: { a, _ in a })
        self.observer = observer
    }

    private struct Running {
        var stage: PlannedStage
        var execution: Int64
        var staging: URL
        var log: StageLog
        var started: Date
    }

    private struct Completion {
        var id: String
        var event: BackendEvent
    }

    /// Executes `plan` as run `runID` with at most `jobs` CPUs busy and no more memory declared
    /// (`resources.memory`) by running stages than the backend's budget (this machine's memory
    /// when stages run here; none on a cluster). `Scheduler` decides what starts; this carries it
    /// out and records it.
    package func run(_ plan: Plan, runID: Int64, jobs: Int, keepGoing: Bool, threadsPerStage: Int) throws -> RunSummary {
        var summary = RunSummary(runID: runID)
        let experiment = plan.experiment.name
        var cachedRecords: [(stage: PlannedStage, status: ExecutionStatus, note: String)] = []
        for stage in plan.stages where !stage.decision.willRun {
            summary.cached.append(stage.instance.id)
            cachedRecords.append((stage, .cached, "cached"))
            try store.linkView(experiment: experiment, stage: stage.instance.id, fingerprint: stage.fingerprint)
            observer.stageCached(stage.instance.id)
        }
        try ledger.recordWithoutRunning(run: runID, stages: cachedRecords)

        let toRun = plan.stages.filter { $0.decision.willRun }
        let byID = Dictionary(uniqueKeysWithValues: toRun.map { ($0.instance.id, $0) })
        var scheduler = Scheduler(jobs: toRun.map(Self.job), done: Set(summary.cached), cpuBudget: jobs,
                                  memoryBudgetMB: backend.memoryBudgetMB, threadsPerStage: threadsPerStage)
        var running: [String: Running] = [:]
        var stopLaunching = false
        let completions = CompletionQueue<Completion>()

        func skip(_ dropped: [Scheduler.Job], because id: String) throws {
            try ledger.recordWithoutRunning(run: runID, stages: dropped.map { (byID[$0.id]!, .skipped, "upstream \(id) failed") })
            for job in dropped {
                summary.skipped.append(job.id)
                observer.stageSkipped(job.id, because: "upstream \(id) failed")
            }
        }

        while true {
            if !stopLaunching && !cancellation.isCancelled {
                for action in scheduler.next() {
                    switch action {
                    case .reuse(let id):
                        try ledger.recordWithoutRunning(run: runID, stages: [(byID[id]!, .cached, "computed in this run by an equal stage")])
                        try store.linkView(experiment: experiment, stage: id, fingerprint: byID[id]!.fingerprint)
                        summary.cached.append(id)
                        observer.stageCached(id)
                    case .start(let id, let threads):
                        do {
                            running[id] = try launch(byID[id]!, plan: plan, runID: runID, threads: threads, completions: completions)
                        } catch {
                            summary.failed.append(id)
                            observer.stageFailed(id, error: "\(error)", log: nil)
                            try skip(scheduler.launchFailed(id), because: id)
                            if !keepGoing { stopLaunching = true }
                        }
                    }
                }
            }
            if running.isEmpty { break }
            let completion = completions.take()
            let outcome: JobOutcome
            switch completion.event {
            case .job(let status):
                if let entry = running[completion.id] { try ledger.recordJob(execution: entry.execution, status) }
                continue
            case .finished(let finished):
                outcome = finished
            }
            guard let entry = running.removeValue(forKey: completion.id) else { continue }
            let id = entry.stage.instance.id
            let seconds = Date().timeIntervalSince(entry.started)
            var succeeded = false
            switch outcome.result {
            case .success(let result):
                do {
                    if cancellation.isCancelled { throw StageFailure.cancelled }
                    try finishSuccess(entry, result: result, outcome: outcome, plan: plan)
                    succeeded = true
                    summary.executed.append(id)
                    observer.stageSucceeded(id, seconds: seconds)
                } catch {
                    try finishFailure(entry, error: error, summary: &summary)
                }
            case .failure(let error):
                try finishFailure(entry, error: error, summary: &summary)
            }
            scheduler.finished(id, succeeded: succeeded)
            if !succeeded && !cancellation.isCancelled {
                try skip(scheduler.dropDependents(of: id), because: id)
                if !keepGoing { stopLaunching = true }
            }
        }
        summary.notStarted = scheduler.pending.map(\.id)
        return summary
    }

    /// What the scheduler needs to know of a planned stage.
    static func job(_ stage: PlannedStage) -> Scheduler.Job {
        Scheduler.Job(id: stage.instance.id, fingerprint: stage.fingerprint, upstream: stage.instance.upstream,
                      cpus: stage.instance.resources.cpus, memoryMB: stage.instance.resources.memoryMB)
    }

    private func launch(_ stage: PlannedStage, plan: Plan, runID: Int64, threads: Int, completions: CompletionQueue<Completion>) throws -> Running {
        guard let implementation = stages[stage.instance.kind] else {
            throw StageFailure.message("no implementation of stage kind '\(stage.instance.kind)'")
        }
        let id = stage.instance.id
        let safeName = id.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        // One log per attempt (the run's id in its name), so a retry does not erase why the last one
        // failed; a cluster job re-attached to writes on in the log it was started with.
        let attached = backend.resumes(fingerprint: stage.fingerprint)
            ? (try? ledger.lastExecution(experiment: plan.experiment.name, stage: id))?.flatMap { $0.fingerprint == stage.fingerprint ? $0.logPath : nil }
            : nil
        let logURL = attached.map { URL(fileURLWithPath: $0) } ?? workspace.logs.appendingPathComponent(
            "\(plan.experiment.name)-\(String(safeName))-\(stage.fingerprint.prefix(12))-run\(runID).log")
        guard case .run(let reason) = stage.decision else { preconditionFailure("launching a cached stage") }
        let execution = try ledger.recordStarted(run: runID, stage: stage, reason: reason.description, logPath: logURL.path)
        observer.stageStarted(id, reason: reason)

        let staging = workspace.tmp.appendingPathComponent("\(stage.fingerprint)-\(execution)")
        let work = workspace.work.appendingPathComponent(stage.fingerprint)
        do {
            try? ArtifactStore.removeTree(staging)
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        } catch {
            // Recorded as started: record how it ended, so the next run does not take it for a crash.
            try ledger.recordEnded(execution, status: .failed, error: "\(error)")
            throw error
        }
        var inputs: [String: URL] = [:]
        for (name, source) in stage.instance.inputs {
            switch source {
            case .path(let path): inputs[name] = workspace.resolve(path)
            case .output(let upstream, let output, let subpath):
                let url = store.outputURL(fingerprint: plan.stage(upstream)!.fingerprint, name: output)
                inputs[name] = subpath.isEmpty ? url : url.appendingPathComponent(subpath)
            }
        }
        let outputs = Dictionary(uniqueKeysWithValues: stage.instance.outputs.map { ($0, staging.appendingPathComponent($0)) })
        let observer = self.observer
        let log = StageLog(url: logURL, append: backend.resumes(fingerprint: stage.fingerprint),
                           progress: { fraction, message in observer.progress(id, fraction: fraction, message: message) },
                           notice: { observer.stageNotice(id, message: $0) })
        let context = StageContext(stageID: id, fingerprint: stage.fingerprint, params: stage.instance.params, inputs: inputs,
                                   outputs: outputs, workDirectory: work, workspace: workspace.root, threads: threads,
                                   log: log, cancellation: cancellation, memoryMB: stage.instance.resources.memoryMB)
        backend.start(implementation, context: context) { event in
            completions.put(Completion(id: id, event: event))
        }
        return Running(stage: stage, execution: execution, staging: staging, log: log, started: Date())
    }

    private func finishSuccess(_ entry: Running, result: StageResult, outcome: JobOutcome, plan: Plan) throws {
        let stage = entry.stage
        let stored = try store.ingest(staging: entry.staging, outputs: stage.instance.outputs, fingerprint: stage.fingerprint)
        var consumed: [(name: String, hash: String)] = []
        for (name, _) in stage.instance.inputs.sorted(by: { $0.key < $1.key }) {
            if let hash = stage.key.inputs[name] {
                consumed.append((name, hash))
            } else if let (upstream, output) = stage.upstreamOutputs[name],
                      let recorded = try ledger.outputs(fingerprint: plan.stage(upstream)!.fingerprint).first(where: { $0.name == output }) {
                // A path inside an upstream output (`scenes.data/photos/train`) is recorded by its own hash.
                if case .output(_, _, let subpath)? = stage.instance.inputs[name], !subpath.isEmpty {
                    let url = store.outputURL(fingerprint: plan.stage(upstream)!.fingerprint, name: output).appendingPathComponent(subpath)
                    consumed.append((name, (try? store.hasher.hash(path: url.path)) ?? recorded.hash))
                } else {
                    consumed.append((name, recorded.hash))
                }
            }
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cost = result.cost ?? ExecutionCost(cpuSeconds: outcome.cpuSeconds, peakRSSKB: Int(usage.ru_maxrss))
        try ledger.recordSucceeded(entry.execution, fingerprint: stage.fingerprint, outputs: stored.outputs, sizes: stored.sizes,
                                   consumed: consumed, metrics: result.metrics, cost: cost)
        // The outputs are stored and recorded; a view that cannot be linked is not a failure of the stage.
        try? store.linkView(experiment: plan.experiment.name, stage: stage.instance.id, fingerprint: stage.fingerprint)
        try? ArtifactStore.removeTree(workspace.work.appendingPathComponent(stage.fingerprint))
    }

    private func finishFailure(_ entry: Running, error: Error, summary: inout RunSummary) throws {
        try? ArtifactStore.removeTree(entry.staging)
        let id = entry.stage.instance.id
        if cancellation.isCancelled {
            try ledger.recordEnded(entry.execution, status: .interrupted, error: "interrupted")
            summary.interrupted.append(id)
            observer.stageInterrupted(id)
        } else {
            let message = "\(error)"
            entry.log.write("error: \(message)")
            try ledger.recordEnded(entry.execution, status: .failed, error: message, cost: ExecutionCost(cpuSeconds: nil, peakRSSKB: nil))
            summary.failed.append(id)
            observer.stageFailed(id, error: message, log: entry.log.url.path)
        }
    }
}

/// A blocking queue: stages' threads put, the executor's thread takes.
final class CompletionQueue<T>: @unchecked Sendable {
    private var items: [T] = []
    private let condition = NSCondition()

    func put(_ item: T) {
        condition.lock()
        items.append(item)
        condition.signal()
        condition.unlock()
    }

    func take() -> T {
        condition.lock()
        while items.isEmpty { condition.wait() }
        let item = items.removeFirst()
        condition.unlock()
        return item
    }
}
