import Foundation
import Pipeline
import UI
import XCTest

/// Fifty clients polling the view as the pages do, while a run writes the ledger: no request fails
/// and the run takes under 10% longer, its waits for a CPU left out (`SchedStat`).
final class LiveViewLoadTests: XCTestCase {
    /// A chain of CPU-bound stages: the run's time is its own work, so watching it can only add.
    /// PLEINAIR_UI_LOAD_SPIN sets each stage's work (200: a run of ~5 s in a debug build here; 2600
    /// for the minute) and PLEINAIR_UI_LOAD_ROUNDS the watched/unwatched pairs (5).
    static var spec: String {
        let spin = ProcessInfo.processInfo.environment["PLEINAIR_UI_LOAD_SPIN"].flatMap { Int($0) } ?? 200
        return template.replacingOccurrences(of: "spin: 200", with: "spin: \(spin)")
    }

    static let template = """
        experiment: load
        stages:
          s1: {kind: work, params: {spin: 200, steps: 50, tag: a}}
          s2: {kind: work, inputs: {in: s1.out}, params: {spin: 200, steps: 50, tag: b}}
          s3: {kind: work, inputs: {in: s2.out}, params: {spin: 200, steps: 50, tag: c}}
          s4: {kind: work, inputs: {in: s3.out}, params: {spin: 200, steps: 50, tag: d}}
          s5: {kind: work, inputs: {in: s4.out}, params: {spin: 200, steps: 50, tag: e}}
          s6: {kind: work, inputs: {in: s5.out}, params: {spin: 200, steps: 50, tag: f}}

        """

    final class RunningFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var running = true
        var isRunning: Bool { lock.lock(); defer { lock.unlock() }; return running }
        func stop() { lock.lock(); running = false; lock.unlock() }
    }

    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var requests = 0
        private(set) var errors: [String] = []
        func add(_ error: String?) { lock.lock(); requests += 1; if let error { errors.append(error) }; lock.unlock() }
    }

    /// One run: its wall time, the part of it its stages spent ready but waiting for a CPU, the run's
    /// CPU time (the thread calling `run` and the stages'), and the CPU time of the rest of the
    /// process meanwhile (the view's server and the polling clients).
    struct Timing {
        var wall: Double
        var runDelay: Double
        var runCPU: Double
        var otherCPU: Double
        /// The run's time less its waits for a CPU: what the view can cost it through the ledger,
        /// I/O or a slower CPU, without what other processes on a shared machine cost it.
        var own: Double { wall - runDelay }
    }

    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let seconds = { (t: timeval) in Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// One fresh run of the spec with `clients` polling the view meanwhile.
    func timedRun(clients: Int, tally: Tally) throws -> Timing {
        let live = try LiveWorkspace()
        try live.write("load.yaml", Self.spec)
        try live.serve()
        let flag = RunningFlag()
        let group = DispatchGroup()
        for client in 0..<clients {
            group.enter()
            Thread {
                defer { group.leave() }
                // Spread over the second, as browsers opened at different times would be.
                usleep(useconds_t(client * 1_000_000 / max(clients, 1)))
                var round = 0
                while flag.isRunning {
                    let path = ["/api/run?run=1", "/api/experiments", "/api/metrics?run=1", "/api/stage?run=1&stage=s1"][(client + round) % 4]
                    do {
                        let reply = try live.get(path)
                        // Before the run is recorded there is no ledger or no run 1 yet: 404, not an error.
                        tally.add(reply.status == 200 || reply.status == 404 ? nil : "\(path): \(reply.status) \(reply.text)")
                    } catch {
                        tally.add("\(path): \(error)")
                    }
                    round += 1
                    usleep(1_000_000)
                }
            }.start()
        }
        let zero = SchedStat(cpuSeconds: 0, runDelaySeconds: 0)
        let controller = SchedStat.thread() ?? zero, stages = SchedStat.stages.total, process = Self.processCPUSeconds()
        let began = Date()
        let summary = try live.run("load.yaml")
        let wall = Date().timeIntervalSince(began)
        let controllerNow = SchedStat.thread() ?? zero, stagesNow = SchedStat.stages.total
        // The stages' waits only: they run one at a time, so their waits never overlap, while the
        // controller's overlap theirs (it wakes for their events) and would be counted twice.
        let runDelay = stagesNow.runDelaySeconds - stages.runDelaySeconds
        let runCPU = controllerNow.cpuSeconds - controller.cpuSeconds + stagesNow.cpuSeconds - stages.cpuSeconds
        let otherCPU = Self.processCPUSeconds() - process - runCPU
        flag.stop()
        group.wait()
        XCTAssertTrue(summary.succeeded, "no ledger lock error or other failure in the run")
        XCTAssertEqual(summary.executed.count, 6)
        return Timing(wall: wall, runDelay: runDelay, runCPU: runCPU, otherCPU: otherCPU)
    }

    func testFiftyPollingClientsCauseNoErrorsAndSlowARunByUnderTenPercent() throws {
        try XCTSkipIf(SchedStat.thread() == nil, "no /proc/thread-self/schedstat: the run's waits for a CPU cannot be told apart")
        let tally = Tally()
        var quiet: [Timing] = [], watched: [Timing] = []
        let rounds = ProcessInfo.processInfo.environment["PLEINAIR_UI_LOAD_ROUNDS"].flatMap { Int($0) } ?? 5
        for _ in 0..<max(1, rounds) {  // alternated, so drift on a shared machine hits both of a pair
            quiet.append(try timedRun(clients: 0, tally: tally))
            watched.append(try timedRun(clients: 50, tally: tally))
        }
        let median = { (times: [Double]) in times.sorted()[times.count / 2] }
        // The median of the pairs' ratios: a pair ran back to back, so what else the machine did
        // (another process on the run core's sibling slows its CPU by as much as 10%) cancels best there.
        let ratios = zip(watched, quiet).map { $0.own / $1.own }
        let ratio = median(ratios)
        let wallRatio = median(watched.map(\.wall)) / median(quiet.map(\.wall))
        let pairs = ratios.map { String(format: "%.3f", $0) }.joined(separator: " ")
        let figures = String(format: "load: %d requests; ratio watched/unwatched, median of %d pairs, %.3f", tally.requests, quiet.count, ratio)
            + " (\(pairs)); " + String(format: """
            median run %.2f s unwatched, %.2f s watched by 50 clients less waits for a CPU \
            (%.2f s and %.2f s): ratio of medians %.3f; wall %.2f s and %.2f s: ratio %.3f; run CPU %.2f s and %.2f s; \
            view and clients CPU %.2f s while watched
            """, median(quiet.map(\.own)), median(watched.map(\.own)),
                     median(quiet.map(\.runDelay)), median(watched.map(\.runDelay)), median(watched.map(\.own)) / median(quiet.map(\.own)),
                     median(quiet.map(\.wall)), median(watched.map(\.wall)), wallRatio,
                     median(quiet.map(\.runCPU)), median(watched.map(\.runCPU)), median(watched.map(\.otherCPU)))
        print(figures)
        XCTAssertEqual(tally.errors, [], "every request answered")
        XCTAssertGreaterThan(tally.requests, 100)
        // The bound. Wall time is printed, not asserted: beside other tests on 2 cores it
        // measures them (docs/ui.md, "the load test").
        XCTAssertLessThanOrEqual(ratio, 1.10, figures)
        // What `own` leaves out is the view taking the run's CPU: the server and its clients together
        // used under 10% of the run's time in CPU, so even sharing the run's one core they could not
        // cost it 10%.
        XCTAssertLessThanOrEqual(median(watched.map(\.otherCPU)), 0.10 * median(watched.map(\.own)), figures)
    }
}
