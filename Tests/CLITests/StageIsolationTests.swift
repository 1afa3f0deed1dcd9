import Foundation
import XCTest

/// Built-in stages run in child processes of the runner (`exec-stage`): a crash fails one stage,
/// each stage has its own OpenBLAS thread count, and the cost recorded is the child's own.
/// The `fault` kind exists only under PLEINAIR_TEST_KINDS=1.
final class StageIsolationTests: XCTestCase {
    var cli: CLIHarness!
    let testKinds = ["PLEINAIR_TEST_KINDS": "1"]

    override func setUpWithError() throws { cli = try CLIHarness() }
    override func tearDown() { cli.cleanUp() }

    private func show(_ stage: String, _ file: String) throws -> [String: Any] {
        let result = try cli.run(["show", file, stage, "--json"], environment: testKinds)
        XCTAssertEqual(result.status, 0, result.stderr)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    private func lastExecution(_ stage: String, _ file: String) throws -> [String: Any] {
        let executions = try XCTUnwrap(try show(stage, file)["executions"] as? [[String: Any]])
        return try XCTUnwrap(executions.first)
    }

    func testACrashingStageFailsAloneAndKeepGoingFinishesTheRest() throws {
        try cli.write("crash.yaml", """
        experiment: crash
        stages:
          segv: {kind: fault, params: {mode: segv}}
          aborts: {kind: fault, params: {mode: abort}}
          fine: {kind: fault, params: {cpu_seconds: 0.05}}
          after:
            kind: cmd
            inputs: {r: fine.report}
            cmd: "cp ${inputs.r} ${outputs.o}"
            outputs: {o: file}
        """)
        let run = try cli.run(["run", "crash.yaml", "--keep-going", "-j", "2"], environment: testKinds)
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("signal 11 (SIGSEGV)"), run.stderr)
        XCTAssertTrue(run.stderr.contains("signal 6 (SIGABRT)"), run.stderr)
        XCTAssertEqual(try lastExecution("segv", "crash.yaml")["status"] as? String, "failed")
        XCTAssertEqual(try lastExecution("aborts", "crash.yaml")["status"] as? String, "failed")
        XCTAssertEqual(try lastExecution("fine", "crash.yaml")["status"] as? String, "succeeded")
        XCTAssertEqual(try lastExecution("after", "crash.yaml")["status"] as? String, "succeeded")
        let error = try XCTUnwrap(try lastExecution("segv", "crash.yaml")["error"] as? String)
        XCTAssertTrue(error.contains("the log ends:") && error.contains("fault: OpenBLAS threads"), error)
        // Nothing is left `started`: the next status plans the two crashed stages as failed attempts.
        let status = try cli.run(["status", "crash.yaml"], environment: testKinds)
        XCTAssertTrue(status.stdout.contains("previous attempt failed"), status.stdout)
        XCTAssertFalse(status.stdout.contains("interrupted"), status.stdout)
    }

    func testTwoStagesAtOnceEachHaveTheirOwnThreadCountAndPeakMemory() throws {
        try cli.write("threads.yaml", """
        experiment: threads
        stages:
          small: {kind: fault, params: {megabytes: 8, hold_seconds: 0.6}}
          large: {kind: fault, params: {megabytes: 300, hold_seconds: 0.6}, resources: {cpus: 2}}
        """)
        let run = try cli.run(["run", "threads.yaml", "-j", "3", "--threads", "1"], environment: testKinds)
        XCTAssertEqual(run.status, 0, run.stderr)
        let small = try show("small", "threads.yaml"), large = try show("large", "threads.yaml")
        func metric(_ shown: [String: Any], _ name: String) -> Double? {
            (shown["metrics"] as? [[String: Any]])?.first { $0["name"] as? String == name }?["value"] as? Double
        }
        XCTAssertEqual(metric(small, "blas_threads"), 1)
        XCTAssertEqual(metric(large, "blas_threads"), 2)
        XCTAssertNotEqual(metric(small, "pid"), metric(large, "pid"))
        let smallRSS = try XCTUnwrap(try lastExecution("small", "threads.yaml")["peak_rss_kb"] as? Int)
        let largeRSS = try XCTUnwrap(try lastExecution("large", "threads.yaml")["peak_rss_kb"] as? Int)
        XCTAssertGreaterThan(largeRSS - smallRSS, 250 * 1024, "peak RSS small \(smallRSS) kB, large \(largeRSS) kB")
    }

    func testTheRecordedCPUTimeIsTheStageProcessesOwn() throws {
        try cli.write("cpu.yaml", """
        experiment: cpu
        stages:
          burn: {kind: fault, params: {cpu_seconds: 1.0}}
        """)
        let run = try cli.run(["run", "cpu.yaml"], environment: testKinds)
        XCTAssertEqual(run.status, 0, run.stderr)
        let cpu = try XCTUnwrap(try lastExecution("burn", "cpu.yaml")["cpu_seconds"] as? Double)
        // One second burnt in the child, plus its start-up; the runner's own CPU time is not in it.
        XCTAssertGreaterThan(cpu, 0.9)
        XCTAssertLessThan(cpu, 1.5)
    }
}
