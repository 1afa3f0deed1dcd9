import Foundation

/// Runs each stage as a Slurm job executing `pleinair exec-stage` for exactly that stage's
/// fingerprint. The store must be on a filesystem the compute nodes share: jobs write their
/// outputs into the staging folder; only this controller ingests them and writes the ledger.
package final class SlurmBackend: ExecutionBackend {
    let config: SlurmConfig
    let client: SlurmClient
    /// The `pleinair` executable the jobs run (same path on the nodes).
    let executable: String
    private var reattach: [String: (execution: Int64, job: String)]
    private let lock = NSLock()
    private var tracked: [String: Tracked] = [:]
    private var poller: Thread?

    private struct Tracked {
        var stageID: String
        var kind: String
        var jobFile: URL
        /// Where the outputs end up when this job was submitted by an earlier controller.
        var adoptInto: URL?
        var flags: [String]
        var attempt: Int
        var lastState: String
        var cancellation: Cancellation
        var cancelToken: Int
        var events: @Sendable (BackendEvent) -> Void
    }

    /// `unfinished` are jobs an earlier controller submitted and the ledger last saw alive: a stage
    /// with the same fingerprint attaches to its job instead of submitting a new one.
    package init(config: SlurmConfig, client: SlurmClient, executable: String,
                unfinished: [(fingerprint: String, execution: Int64, job: String)]) {
        self.config = config
        self.client = client
        self.executable = executable
        var map: [String: (Int64, String)] = [:]
        let alive = client.states(unfinished.map(\.job)).filter { !SlurmClient.terminalStates.contains($0.value.state) }
        for entry in unfinished where alive[entry.job] != nil { map[entry.fingerprint] = (entry.execution, entry.job) }
        reattach = map
    }

    /// Jobs run on cluster nodes, which Slurm sizes from each job's `--mem`.
    package var memoryBudgetMB: Int? { nil }

    package func resumes(fingerprint: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return reattach[fingerprint] != nil
    }

    package func start(_ stage: Stage, context: StageContext, events: @escaping @Sendable (BackendEvent) -> Void) {
        let staging = context.outputs.values.first?.deletingLastPathComponent()
            ?? context.workDirectory.appendingPathComponent("staging")
        let jobFile = URL(fileURLWithPath: staging.path + ".job.json")
        let kind = stage.descriptor.kind
        do {
            lock.lock()
            let earlier = reattach.removeValue(forKey: context.fingerprint)
            lock.unlock()
            let jobID: String
            var adoptFrom: URL?
            if let earlier {
                jobID = earlier.job
                adoptFrom = URL(fileURLWithPath: staging.deletingLastPathComponent()
                    .appendingPathComponent("\(context.fingerprint)-\(earlier.execution)").path + ".job.json")
                context.log.write("attaching to Slurm job \(jobID) submitted by an earlier run")
            } else {
                try StageJob(kind: kind, context: context).write(to: jobFile)
                jobID = try client.submit(script: try writeScript(for: jobFile), flags: submitFlags(kind: kind, context: context))
                context.log.write("submitted Slurm job \(jobID)")
            }
            events(.job(ClusterJobStatus(jobID: jobID, state: "SUBMITTED")))
            let flags = submitFlags(kind: kind, context: context)
            let entry = Tracked(stageID: context.stageID, kind: kind, jobFile: adoptFrom ?? jobFile,
                                adoptInto: adoptFrom == nil ? nil : staging, flags: flags, attempt: 0, lastState: "SUBMITTED",
                                cancellation: context.cancellation, cancelToken: -1, events: events)
            lock.lock()
            tracked[jobID] = entry
            startPolling()
            lock.unlock()
            // Cancels whichever job of this stage is live then, a resubmitted one included.
            let token = context.cancellation.onCancel { [weak self] in self?.cancelJobs(of: context.stageID) }
            lock.lock()
            for (id, e) in tracked where e.stageID == context.stageID { tracked[id]?.cancelToken = token }
            lock.unlock()
        } catch {
            events(.finished(JobOutcome(result: .failure(StageFailure.message("cannot submit to Slurm: \(error)")), cpuSeconds: nil)))
        }
    }

    private func cancelJobs(of stageID: String) {
        lock.lock()
        let ids = tracked.filter { $0.value.stageID == stageID }.map(\.key)
        lock.unlock()
        client.cancel(ids)
    }

    private func submitFlags(kind: String, context: StageContext) -> [String] {
        ["--job-name=pleinair-\(context.stageID)", "--output=\(context.log.url.path)", "--error=\(context.log.url.path)",
         "--open-mode=append"] + config.sbatchFlags(kind: kind, cpus: max(1, context.threads), memoryMB: context.memoryMB)
    }

    private func writeScript(for jobFile: URL) throws -> URL {
        let script = URL(fileURLWithPath: jobFile.path.replacingOccurrences(of: ".job.json", with: ".sbatch"))
        try "#!/bin/sh\nexec \(ShellQuote.quote(executable)) exec-stage \(ShellQuote.quote(jobFile.path))\n".write(to: script, atomically: true, encoding: .utf8)
        return script
    }

    /// Called with the lock held.
    private func startPolling() {
        guard poller == nil else { return }
        let thread = Thread { [weak self] in self?.poll() }
        poller = thread
        thread.start()
    }

    private func poll() {
        while true {
            lock.lock()
            let ids = Array(tracked.keys)
            if ids.isEmpty {
                poller = nil
                lock.unlock()
                return
            }
            lock.unlock()
            let states = client.states(ids)
            for id in ids {
                guard let status = states[id] else { continue }
                lock.lock()
                guard var entry = tracked[id] else { lock.unlock(); continue }
                let changed = entry.lastState != status.state
                entry.lastState = status.state
                let terminal = SlurmClient.terminalStates.contains(status.state)
                if terminal { tracked[id] = nil } else { tracked[id] = entry }
                lock.unlock()
                if changed || terminal { entry.events(.job(status)) }
                if terminal { finish(id, entry, status) }
            }
            Thread.sleep(forTimeInterval: config.pollInterval)
        }
    }

    private func finish(_ id: String, _ entry: Tracked, _ status: ClusterJobStatus) {
        defer {
            lock.lock()
            let live = tracked.values.contains { $0.stageID == entry.stageID }
            lock.unlock()
            if !live { entry.cancellation.remove(entry.cancelToken) }
        }
        let resultURL = StageJob.resultURL(for: entry.jobFile)
        let result = (try? Data(contentsOf: resultURL)).flatMap { try? JSONDecoder().decode(StageJob.Result.self, from: $0) }
        if status.state == "COMPLETED", let result, result.ok {
            if let target = entry.adoptInto {
                let source = URL(fileURLWithPath: String(entry.jobFile.path.dropLast(".job.json".count)))
                try? FileManager.default.removeItem(at: target)
                try? FileManager.default.moveItem(at: source, to: target)
            }
            let metrics = result.metrics.map { Metric(name: $0.name, value: $0.value, step: $0.step) }
            entry.events(.finished(JobOutcome(result: .success(StageResult(metrics: metrics, cost: ExecutionCost(cpuSeconds: result.cpuSeconds, peakRSSKB: result.peakRSSKB ?? status.maxRSSKB))),
                                              cpuSeconds: result.cpuSeconds)))
            return
        }
        if !entry.cancellation.isCancelled, config.retryStates.contains(status.state), entry.attempt < config.retries,
           let jobID = try? client.submit(script: try writeScript(for: entry.jobFile), flags: entry.flags) {
            var retry = entry
            retry.attempt += 1
            retry.lastState = "SUBMITTED"
            entry.events(.job(ClusterJobStatus(jobID: jobID, state: "SUBMITTED", reason: "retry \(retry.attempt) after \(status.state)")))
            lock.lock()
            tracked[jobID] = retry
            startPolling()
            lock.unlock()
            return
        }
        var message = "Slurm job \(id) ended \(status.state)"
        if let node = status.node { message += " on \(node)" }
        if let reason = status.reason { message += " (\(reason))" }
        if let error = result?.error { message += ": \(error)" }
        entry.events(.finished(JobOutcome(result: .failure(StageFailure.message(message)), cpuSeconds: nil)))
    }
}
