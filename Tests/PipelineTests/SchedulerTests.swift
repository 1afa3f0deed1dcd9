import Pipeline
import XCTest

/// The scheduler alone: no ledger, no store, no stage ever runs.
final class SchedulerTests: XCTestCase {
    private func job(_ id: String, after upstream: Set<String> = [], fingerprint: String? = nil, cpus: Int = 1,
                     memory: Int? = nil) -> Scheduler.Job {
        Scheduler.Job(id: id, fingerprint: fingerprint ?? "fp-\(id)", upstream: upstream, cpus: cpus, memoryMB: memory)
    }

    func testStartsOnlyStagesWhoseUpstreamIsDoneInPlanOrder() {
        var s = Scheduler(jobs: [job("a"), job("b", after: ["a"]), job("c")], done: [], cpuBudget: 4,
                          memoryBudgetMB: nil, threadsPerStage: 1)
        XCTAssertEqual(s.next(), [.start(id: "a", threads: 1), .start(id: "c", threads: 1)])
        XCTAssertEqual(s.next(), [], "b waits for a")
        s.finished("a", succeeded: true)
        XCTAssertEqual(s.next(), [.start(id: "b", threads: 1)])
    }

    func testCachedStagesCountAsDone() {
        var s = Scheduler(jobs: [job("b", after: ["a"])], done: ["a"], cpuBudget: 1, memoryBudgetMB: nil, threadsPerStage: 2)
        XCTAssertEqual(s.next(), [.start(id: "b", threads: 2)])
    }

    func testCPUBudgetLimitsWhatRunsAtOnce() {
        var s = Scheduler(jobs: [job("a"), job("b"), job("c")], done: [], cpuBudget: 2, memoryBudgetMB: nil, threadsPerStage: 1)
        XCTAssertEqual(s.next().count, 2)
        XCTAssertEqual(s.busyCPUs, 2)
        XCTAssertEqual(s.next(), [])
        s.finished("a", succeeded: true)
        XCTAssertEqual(s.next(), [.start(id: "c", threads: 1)])
    }

    func testAStageDeclaringSeveralCPUsGetsThemAsThreadsCappedByTheBudget() {
        var s = Scheduler(jobs: [job("wide", cpus: 8)], done: [], cpuBudget: 2, memoryBudgetMB: nil, threadsPerStage: 1)
        XCTAssertEqual(s.next(), [.start(id: "wide", threads: 2)])
        XCTAssertEqual(s.busyCPUs, 2)
    }

    func testMemoryBudgetHoldsBackAStageThatWouldNotFitButRunsAnOversizedOneAlone() {
        var s = Scheduler(jobs: [job("a", memory: 600), job("b", memory: 600), job("huge", memory: 5000)], done: [],
                          cpuBudget: 4, memoryBudgetMB: 1000, threadsPerStage: 1)
        XCTAssertEqual(s.next(), [.start(id: "a", threads: 1)])
        s.finished("a", succeeded: true)
        XCTAssertEqual(s.next(), [.start(id: "b", threads: 1)])
        s.finished("b", succeeded: true)
        XCTAssertEqual(s.next(), [.start(id: "huge", threads: 1)], "more than the budget still runs, alone")
        XCTAssertEqual(s.memoryInUseMB, 1000)
    }

    func testEqualFingerprintsRunOnceAndTheOthersReuseTheOutputs() {
        var s = Scheduler(jobs: [job("x@1", fingerprint: "same"), job("x@2", fingerprint: "same"), job("y")], done: [],
                          cpuBudget: 4, memoryBudgetMB: nil, threadsPerStage: 1)
        XCTAssertEqual(s.next(), [.start(id: "x@1", threads: 1), .start(id: "y", threads: 1)], "x@2 waits for its twin")
        s.finished("x@1", succeeded: true)
        XCTAssertEqual(s.next(), [.reuse(id: "x@2")])
        XCTAssertTrue(s.done.contains("x@2"))
    }

    func testAFailureDropsEveryDependentTransitivelyAndNothingElse() {
        var s = Scheduler(jobs: [job("a"), job("b", after: ["a"]), job("c", after: ["b"]), job("d")], done: [],
                          cpuBudget: 1, memoryBudgetMB: nil, threadsPerStage: 1)
        XCTAssertEqual(s.next(), [.start(id: "a", threads: 1)])
        s.finished("a", succeeded: false)
        XCTAssertEqual(s.dropDependents(of: "a").map(\.id), ["b", "c"])
        XCTAssertEqual(s.next(), [.start(id: "d", threads: 1)])
        XCTAssertTrue(s.pending.isEmpty)
    }

    func testALaunchFailureFreesItsCPUsAndDropsItsDependents() {
        var s = Scheduler(jobs: [job("a"), job("b", after: ["a"]), job("c")], done: [], cpuBudget: 1,
                          memoryBudgetMB: nil, threadsPerStage: 1)
        XCTAssertEqual(s.next(), [.start(id: "a", threads: 1)])
        XCTAssertEqual(s.launchFailed("a").map(\.id), ["b"])
        XCTAssertEqual(s.busyCPUs, 0)
        XCTAssertEqual(s.next(), [.start(id: "c", threads: 1)])
        XCTAssertTrue(s.isIdle == false)
    }
}
