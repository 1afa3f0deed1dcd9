/// Decides which stages start next, as a pure function of what is pending, done and running and of
/// the budgets: no ledger, no store, no clock. The executor carries out its answers and tells it
/// how each stage ended. Stages are considered in plan order, so a run's launch order is stable.
package struct Scheduler {
    /// What the scheduler needs to know of a stage.
    package struct Job: Sendable, Equatable {
        package var id: String
        package var fingerprint: String
        /// Instances that must have finished first.
        package var upstream: Set<String>
        /// CPUs declared (`resources.cpus`).
        package var cpus: Int
        /// Memory declared (`resources.memory`), nil when undeclared.
        package var memoryMB: Int?

        package init(id: String, fingerprint: String, upstream: Set<String>, cpus: Int = 1, memoryMB: Int? = nil) {
            self.id = id
            self.fingerprint = fingerprint
            self.upstream = upstream
            self.cpus = cpus
            self.memoryMB = memoryMB
        }
    }

    /// One decision.
    package enum Action: Sendable, Equatable {
        /// Start the stage with this many threads.
        case start(id: String, threads: Int)
        /// An equal stage (same fingerprint) produced its outputs in this run: reuse them.
        case reuse(id: String)
    }

    /// CPUs the running stages may use in all (`-j`).
    package let cpuBudget: Int
    /// Memory the running stages may declare in all.
    package let memoryBudgetMB: Int
    /// Threads of a stage that declares one CPU (`--threads`).
    package let threadsPerStage: Int
    /// Stages not started yet, in plan order.
    package private(set) var pending: [Job]
    /// Stages finished (run, reused or cached) successfully.
    package private(set) var done: Set<String>
    private var running: [String: Job] = [:]
    private var produced = Set<String>()
    package private(set) var busyCPUs = 0
    package private(set) var memoryInUseMB = 0

    /// A scheduler for `jobs`, with `done` (the cached stages) already finished.
    package init(jobs: [Job], done: Set<String>, cpuBudget: Int, memoryBudgetMB: Int?, threadsPerStage: Int) {
        pending = jobs
        self.done = done
        self.cpuBudget = max(1, cpuBudget)
        self.memoryBudgetMB = memoryBudgetMB ?? Int.max
        self.threadsPerStage = threadsPerStage
    }

    /// Whether no stage is running.
    package var isIdle: Bool { running.isEmpty }

    /// One pass over the pending stages in plan order: reuse what an equal stage produced, start
    /// what is ready and fits the budgets. The answers count as carried out (a started stage is
    /// running, a reused one done) until `launchFailed` or `finished` says otherwise.
    package mutating func next() -> [Action] {
        var actions: [Action] = []
        var index = 0
        while index < pending.count {
            let job = pending[index]
            if produced.contains(job.fingerprint) {
                pending.remove(at: index)
                done.insert(job.id)
                actions.append(.reuse(id: job.id))
                continue
            }
            // Equal fingerprints compute the same outputs: wait for the running one, then reuse it.
            if running.values.contains(where: { $0.fingerprint == job.fingerprint }) {
                index += 1
                continue
            }
            let cpus = cpus(of: job), memory = memory(of: job)
            // A stage declaring more memory than the budget still runs, but alone.
            let fits = busyCPUs + cpus <= cpuBudget && (memoryInUseMB == 0 || memoryInUseMB + memory <= memoryBudgetMB)
            if job.upstream.isSubset(of: done) && fits {
                pending.remove(at: index)
                running[job.id] = job
                busyCPUs += cpus
                memoryInUseMB += memory
                // A stage declaring several CPUs gets that many threads; others get the run's --threads.
                actions.append(.start(id: job.id, threads: job.cpus > 1 ? cpus : threadsPerStage))
            } else {
                index += 1
            }
        }
        return actions
    }

    /// A started stage could not be launched: its resources are free again and everything pending
    /// that depends on it, directly or not, is dropped and returned (to be recorded as skipped).
    package mutating func launchFailed(_ id: String) -> [Job] {
        release(id)
        return dropDependents(of: id)
    }

    /// A running stage ended; on success its outputs can be reused by equal stages. (After a
    /// failure, `dropDependents(of:)` drops what can no longer run, unless the run is stopping.)
    package mutating func finished(_ id: String, succeeded: Bool) {
        guard let job = release(id), succeeded else { return }
        done.insert(id)
        produced.insert(job.fingerprint)
    }

    /// Drops every pending stage that depends on `id`, directly or not.
    package mutating func dropDependents(of id: String) -> [Job] {
        var blocked: Set = [id]
        var changed = true
        while changed {
            changed = false
            for job in pending where !blocked.contains(job.id) && !job.upstream.isDisjoint(with: blocked) {
                blocked.insert(job.id)
                changed = true
            }
        }
        let dropped = pending.filter { blocked.contains($0.id) }
        pending.removeAll { blocked.contains($0.id) }
        return dropped
    }

    @discardableResult
    private mutating func release(_ id: String) -> Job? {
        guard let job = running.removeValue(forKey: id) else { return nil }
        busyCPUs -= cpus(of: job)
        memoryInUseMB -= memory(of: job)
        return job
    }

    private func cpus(of job: Job) -> Int { min(job.cpus, cpuBudget) }
    private func memory(of job: Job) -> Int { min(job.memoryMB ?? 0, memoryBudgetMB) }
}
