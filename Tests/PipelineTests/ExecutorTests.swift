import Foundation
@testable import Pipeline
import Results
import XCTest

final class ExecutorTests: XCTestCase {
    var ws: TestWorkspace!

    override func setUpWithError() throws {
        ws = try TestWorkspace()
        _ = try ws.write("data/raw.txt", "raw data\n")
        _ = try ws.write("exp.yaml", matrixSpec)
    }

    private func withOverride(_ line: String) -> String {
        matrixSpec.replacingOccurrences(of: "    params: {value: 2, tag: \"${matrix.artist}\"}",
                                        with: "    params: {value: 2, tag: \"${matrix.artist}\"}\n    overrides:\n      \(line)")
    }

    func testFirstRunExecutesEveryStageAndSecondRunIsAllHits() throws {
        let first = try ws.run()
        XCTAssertEqual(first.executed.count, 7)
        XCTAssertEqual(ws.counter.total, 7)
        ws.counter.reset()
        let second = try ws.run()
        XCTAssertEqual(second.executed.count, 0)
        XCTAssertEqual(second.cached.count, 7)
        XCTAssertEqual(ws.counter.total, 0)
    }

    func testEditingOneParamOfOneMatrixItemRerunsOnlyThatStageAndItsDownstream() throws {
        try ws.run()
        ws.counter.reset()
        _ = try ws.write("exp.yaml", withOverride("cezanne: {value: 3}"))
        let plan = try ws.plan()
        XCTAssertEqual(plan.stage("train@cezanne")?.decision, .run(.paramsChanged([ParamChange(name: "value", old: .double(2), new: .double(3))])))
        XCTAssertEqual(plan.stage("eval@cezanne")?.decision, .run(.upstreamChanged(["train@cezanne"])))
        let summary = try ws.run()
        XCTAssertEqual(Set(summary.executed), ["train@cezanne", "eval@cezanne"])
        XCTAssertEqual(summary.cached.count, 5)
        XCTAssertEqual(ws.counter.total, 2)
    }

    func testReasonNamesTheChangedParamWithOldAndNewValues() throws {
        try ws.run()
        _ = try ws.write("exp.yaml", matrixSpec.replacingOccurrences(of: "value: 2", with: "value: 0.5"))
        let reason = try ws.plan().stage("train@monet")!.decision
        XCTAssertEqual("\(reason)", "\(StageDecision.run(.paramsChanged([ParamChange(name: "value", old: .double(2), new: .double(0.5))])))")
        guard case .run(let r) = reason else { return XCTFail() }
        XCTAssertEqual(r.description, "params changed: value 2.0 → 0.5")
    }

    func testTouchingAnInputWithoutChangingItsContentRerunsNothing() throws {
        try ws.run()
        ws.counter.reset()
        let url = ws.root.appendingPathComponent("data/raw.txt")
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(60)], ofItemAtPath: url.path)
        let summary = try ws.run()
        XCTAssertEqual(summary.executed, [])
        XCTAssertEqual(ws.counter.total, 0)
    }

    func testChangingAnInputFileRerunsEverythingDownstreamOfIt() throws {
        try ws.run()
        ws.counter.reset()
        _ = try ws.write("data/raw.txt", "new data\n")
        XCTAssertEqual(try ws.plan().stage("prep")?.decision, .run(.inputsChanged(["in"])))
        let summary = try ws.run()
        XCTAssertEqual(summary.executed.count, 7)
    }

    func testAParameterNamingAFileFingerprintsItsContent() throws {
        _ = try ws.write("model.yaml", """
        experiment: model
        stages:
          fit:
            kind: toy
            params: {model: data/weights.bin}
          plain:
            kind: toy
            params: {model: none}
        """)
        // Missing, the file still plans (the stage says what is wrong when it runs).
        XCTAssertEqual(try ws.plan("model.yaml").stage("fit")?.decision, .run(.new))
        _ = try ws.write("data/weights.bin", "first\n")
        try ws.run("model.yaml")
        ws.counter.reset()
        let url = ws.root.appendingPathComponent("data/weights.bin")
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(60)], ofItemAtPath: url.path)
        XCTAssertEqual(try ws.run("model.yaml").executed, [])
        _ = try ws.write("data/weights.bin", "second\n")
        let plan = try ws.plan("model.yaml")
        XCTAssertEqual(plan.stage("fit")?.decision, .run(.inputsChanged(["params.model"])))
        XCTAssertEqual(plan.stage("plain")?.decision, .cached)
    }

    func testCodeVersionChangeRerunsWithThatReason() throws {
        try ws.run()
        ws.version = 2
        XCTAssertEqual(try ws.plan().stage("prep")?.decision, .run(.codeVersionChanged(kind: "toy", from: 1, to: 2)))
    }

    func testFailedStageRecordsNoOutputsAndItsDependentsAreSkipped() throws {
        _ = try ws.write("exp.yaml", withOverride("monet: {fail: true}"))
        var options = RunOptions()
        options.keepGoing = true
        let summary = try ws.run("exp.yaml", options)
        XCTAssertEqual(summary.failed, ["train@monet"])
        XCTAssertEqual(summary.skipped, ["eval@monet"])
        XCTAssertTrue(summary.executed.contains("eval@cezanne"), "--keep-going runs what does not depend on the failure")
        let runner = try ws.runner()
        let failed = try runner.ledger.lastExecution(experiment: "toys", stage: "train@monet")!
        XCTAssertEqual(failed.status, .failed)
        XCTAssertEqual(try runner.ledger.outputs(fingerprint: failed.fingerprint), [])
        XCTAssertEqual(try ws.plan().stage("train@monet")?.decision, .run(.previousFailed))
    }

    func testWithoutKeepGoingAFailureStopsLaunchingNewStages() throws {
        _ = try ws.write("exp.yaml", matrixSpec.replacingOccurrences(of: "    inputs: {in: data/raw.txt}", with: "    inputs: {in: data/raw.txt}\n    params: {fail: true}"))
        let summary = try ws.run()
        XCTAssertEqual(summary.failed, ["prep"])
        XCTAssertEqual(summary.skipped.count, 6)
        XCTAssertEqual(summary.executed, [])
    }

    func testCancellationMarksTheRunningStageInterruptedAndTheNextRunResumes() throws {
        _ = try ws.write("exp.yaml", matrixSpec.replacingOccurrences(of: "value: 2,", with: "value: 2, sleep: 5,"))
        let runner = try ws.runner()
        let experiment = try runner.load(ws.root.appendingPathComponent("exp.yaml").path)
        let cancellation = Cancellation()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { cancellation.cancel() }
        let summary = try runner.run(experiment, options: RunOptions(), observer: RecordingObserver(), onExecutor: { executor in
            cancellation.onCancel { executor.cancellation.cancel() }
        }).summary!
        XCTAssertEqual(summary.interrupted, ["train@monet"])
        XCTAssertEqual(try runner.ledger.executionsStillStarted().count, 0)
        XCTAssertEqual(try runner.ledger.lastExecution(experiment: "toys", stage: "train@monet")?.status, .interrupted)
        _ = try ws.write("exp.yaml", matrixSpec)
        let resumed = try ws.run()
        XCTAssertEqual(resumed.cached, ["prep"])
        XCTAssertEqual(resumed.executed.count, 6)
    }

    func testAnExecutionLeftStartedByACrashIsRecoveredAsInterrupted() throws {
        let runner = try ws.runner()
        let experiment = try runner.load(ws.root.appendingPathComponent("exp.yaml").path)
        let plan = try runner.plan(experiment)
        let run = try runner.ledger.beginRun(experiment: "toys", file: "exp.yaml", argv: [])
        _ = try runner.ledger.recordStarted(run: run, stage: plan.stage("prep")!, reason: "new", logPath: nil)
        // The process "dies" here: nothing else is recorded.
        XCTAssertEqual(try runner.ledger.recoverInterrupted(), ["prep"])
        XCTAssertEqual(try ws.plan().stage("prep")?.decision, .run(.previousInterrupted))
        let summary = try ws.run()
        XCTAssertEqual(summary.executed.count, 7)
        XCTAssertEqual(try runner.ledger.executionsStillStarted().count, 0)
    }

    func testAFlippedByteIsCaughtByVerifyAndRecomputedByTheNextRun() throws {
        try ws.run()
        let runner = try ws.runner()
        let fingerprint = try ws.plan().stage("train@monet")!.fingerprint
        let output = try runner.ledger.outputs(fingerprint: fingerprint)[0]
        let object = runner.store.objectURL(output.hash)
        chmod(object.path, 0o644)
        var bytes = try Data(contentsOf: object)
        bytes[0] ^= 0xFF
        try bytes.write(to: object)
        let report = try StoreMaintenance(runner: runner).verify()
        XCTAssertEqual(report.corruptObjects, [output.hash])
        XCTAssertTrue(report.invalidated.contains(fingerprint))
        XCTAssertEqual(try ws.plan().stage("train@monet")?.decision, .run(.outputsMissing))
        ws.counter.reset()
        let summary = try ws.run()
        XCTAssertEqual(summary.executed, ["train@monet"])
        XCTAssertEqual(try StoreMaintenance(runner: try ws.runner()).verify().corruptObjects, [])
    }

    func testACorruptOutputIsRecomputedEvenWithoutVerify() throws {
        try ws.run()
        let runner = try ws.runner()
        let fingerprint = try ws.plan().stage("prep")!.fingerprint
        let url = runner.store.outputURL(fingerprint: fingerprint, name: "out")
        chmod(url.path, 0o644)
        try Data("tampered".utf8).write(to: url)
        XCTAssertEqual(try ws.plan().stage("prep")?.decision, .run(.outputsMissing))
    }

    func testStagesWithEqualFingerprintsInTwoExperimentsAreComputedOnce() throws {
        try ws.run()
        _ = try ws.write("other.yaml", matrixSpec.replacingOccurrences(of: "experiment: toys", with: "experiment: others"))
        ws.counter.reset()
        let summary = try ws.run("other.yaml")
        XCTAssertEqual(summary.executed, [])
        XCTAssertEqual(summary.cached.count, 7)
    }

    func testInstancesWithEqualFingerprintsInOneRunAreComputedOnce() throws {
        _ = try ws.write("exp.yaml", matrixSpec.replacingOccurrences(of: "tag: \"${matrix.artist}\"", with: "tag: same"))
        var options = RunOptions()
        options.jobs = 3
        let summary = try ws.run("exp.yaml", options)
        XCTAssertEqual(ws.counter.total, 3, "prep, one train and one eval: the other instances share their fingerprints")
        XCTAssertEqual(summary.executed.count + summary.cached.count, 7)
    }

    func testParallelRunHonoursTheCPUBudgetAndDependencies() throws {
        var options = RunOptions()
        options.jobs = 3
        let summary = try ws.run("exp.yaml", options)
        XCTAssertEqual(summary.executed.first, "prep")
        XCTAssertEqual(summary.executed.count, 7)
        for artist in ["monet", "cezanne", "vangogh"] {
            XCTAssertLessThan(summary.executed.firstIndex(of: "train@\(artist)")!, summary.executed.firstIndex(of: "eval@\(artist)")!)
        }
    }

    private func twoSlowStages(memory: String) -> String {
        """
        experiment: budget
        stages:
          a: {kind: toy, params: {sleep: 0.3, tag: a}, resources: {memory: \(memory)}}
          b: {kind: toy, params: {sleep: 0.3, tag: b}, resources: {memory: \(memory)}}
        """
    }

    func testIndependentStagesRunAtTheSameTimeWithinTheCPUBudget() throws {
        _ = try ws.write("budget.yaml", twoSlowStages(memory: "1M"))
        var options = RunOptions()
        options.jobs = 2
        try ws.run("budget.yaml", options)
        XCTAssertEqual(ws.counter.maxActive, 2)
    }

    func testStagesWhoseDeclaredMemoryDoesNotFitTogetherRunOneAtATime() throws {
        let megabytes = Int(ProcessInfo.processInfo.physicalMemory / (1 << 20)) * 6 / 10
        _ = try ws.write("budget.yaml", twoSlowStages(memory: "\(megabytes)M"))
        var options = RunOptions()
        options.jobs = 2
        try ws.run("budget.yaml", options)
        XCTAssertEqual(ws.counter.maxActive, 1)
    }

    func testOnAClusterDeclaredMemoryDoesNotQueueStagesBehindEachOther() throws {
        // Each cluster job gets its own node's memory; the controller's RAM is no budget for them.
        let megabytes = Int(ProcessInfo.processInfo.physicalMemory / (1 << 20)) * 6 / 10
        _ = try ws.write("budget.yaml", twoSlowStages(memory: "\(megabytes)M"))
        var options = RunOptions()
        options.jobs = 2
        let runner = try ws.runner()
        _ = try runner.run(try runner.load(ws.root.appendingPathComponent("budget.yaml").path), options: options,
                           backend: ClusterLikeBackend(), observer: RecordingObserver())
        XCTAssertEqual(ws.counter.maxActive, 2)
    }

    func testOnlyDoesNotLookAtTheInputsOfStagesItDoesNotRun() throws {
        _ = try ws.write("only.yaml", """
        experiment: only
        stages:
          wanted: {kind: toy, inputs: {in: data/raw.txt}}
          elsewhere: {kind: toy, inputs: {in: data/not-there-yet.txt}}
        """)
        XCTAssertThrowsError(try ws.plan("only.yaml"))  // the whole experiment cannot be planned yet
        var options = RunOptions()
        options.only = ["wanted"]
        options.force = ["wanted", "elsewhere"]
        XCTAssertEqual(try ws.run("only.yaml", options).executed, ["wanted"])
        options.force = ["nowhere"]
        XCTAssertThrowsError(try ws.run("only.yaml", options))  // an unknown selector is still an error
    }

    func testOnlyRunsTheSelectedStageAndWhatItNeeds() throws {
        var options = RunOptions()
        options.only = ["train@vangogh"]
        let summary = try ws.run("exp.yaml", options)
        XCTAssertEqual(Set(summary.executed), ["prep", "train@vangogh"])
    }

    func testForceRerunsACachedStage() throws {
        try ws.run()
        var options = RunOptions()
        options.force = ["prep"]
        ws.counter.reset()
        let summary = try ws.run("exp.yaml", options)
        XCTAssertEqual(summary.executed, ["prep"])
    }

    func testGarbageCollectionRemovesOutputsNoRetainedRunNeeds() throws {
        try ws.run()
        _ = try ws.write("exp.yaml", matrixSpec.replacingOccurrences(of: "value: 2", with: "value: 5"))
        try ws.run()
        let runner = try ws.runner()
        let report = try StoreMaintenance(runner: runner).collectGarbage(keepRuns: 1)
        XCTAssertEqual(report.outputsForgotten, 6, "three old train and three old eval outputs")
        XCTAssertGreaterThan(report.objectsRemoved, 0)
        XCTAssertEqual(try StoreMaintenance(runner: runner).verify().invalidated, [])
        ws.counter.reset()
        XCTAssertEqual(try ws.run().executed, [])
    }

    func testGarbageCollectionAfterARunWithOnlyKeepsEveryOtherStagesLatestOutputs() throws {
        try ws.run()
        _ = try ws.write("exp.yaml", withOverride("monet: {value: 9}"))
        var options = RunOptions()
        options.only = ["train@monet"]
        XCTAssertEqual(try ws.run("exp.yaml", options).executed, ["train@monet"])
        _ = try StoreMaintenance(runner: try ws.runner()).collectGarbage(keepRuns: 1)
        ws.counter.reset()
        XCTAssertEqual(try ws.run().executed, ["eval@monet"], "the stages left out of the --only run keep their outputs")
    }

    func testMetricsOfTheCurrentFingerprintFormTheResultsTable() throws {
        try ws.run()
        let runner = try ws.runner()
        let plan = try ws.plan()
        let table = try ResultsTable.build(plan: plan) { try runner.ledger.metrics(fingerprint: $0) }
        XCTAssertEqual(table.axes, ["artist"])
        XCTAssertEqual(table.rows.map(\.values), [["monet"], ["cezanne"], ["vangogh"]])
        XCTAssertEqual(table.rows[0].metrics["train.value"], 2)
        XCTAssertEqual(table.rows[0].metrics["train.loss"], 1, "a series contributes its last step")
        XCTAssertEqual(table.shared.map(\.column), ["prep.value", "prep.loss"])
    }

    func testPivotingAnAxisMakesAColumnPerValueAndMetric() throws {
        _ = try ws.write("grid.yaml", """
        experiment: grid
        matrix: {artist: [monet, cezanne], method: [ours, base]}
        stages:
          score:
            kind: toy
            foreach: [artist, method]
            params: {tag: "${matrix.artist}-${matrix.method}"}
            overrides: {"cezanne,base": {value: 7}}
        """)
        try ws.run("grid.yaml")
        let runner = try ws.runner()
        let table = try ResultsTable.build(plan: try ws.plan("grid.yaml")) { try runner.ledger.metrics(fingerprint: $0) }
        let pivoted = try XCTUnwrap(table.pivoted(on: "method"))
        XCTAssertEqual(pivoted.axes, ["artist"])
        XCTAssertEqual(pivoted.rows.map(\.values), [["monet"], ["cezanne"]])
        XCTAssertEqual(pivoted.columns, ["ours:score.value", "base:score.value", "ours:score.loss", "base:score.loss"])
        XCTAssertEqual(pivoted.rows[1].metrics["base:score.value"], 7)
        XCTAssertEqual(pivoted.rows[1].metrics["ours:score.value"], 1)
        XCTAssertNil(table.pivoted(on: "nothing"))
    }
}

/// A local backend that claims every start attaches to a job an earlier run left running.
private final class ResumingBackend: ExecutionBackend {
    let local = LocalBackend()
    func start(_ stage: Stage, context: StageContext, events: @escaping @Sendable (BackendEvent) -> Void) {
        local.start(stage, context: context, events: events)
    }
    func resumes(fingerprint: String) -> Bool { true }
}

final class StageLogResumeTests: XCTestCase {
    func testAStageThatReattachesAppendsToItsLogInsteadOfTruncatingIt() throws {
        let ws = try TestWorkspace()
        _ = try ws.write("exp.yaml", "experiment: logs\nstages:\n  only:\n    kind: toy\n")
        try ws.run()
        let logs = ws.root.appendingPathComponent("artifacts/logs")
        let names = try FileManager.default.contentsOfDirectory(atPath: logs.path).filter { $0.hasPrefix("logs-only-") && $0.hasSuffix(".log") }
        XCTAssertEqual(names.count, 1)
        let log = logs.appendingPathComponent(names[0])
        try "written by the job on the node\n".write(to: log, atomically: false, encoding: .utf8)
        var options = RunOptions()
        options.force = ["only"]
        let runner = try ws.runner()
        _ = try runner.run(try runner.load(ws.root.appendingPathComponent("exp.yaml").path), options: options,
                           backend: ResumingBackend(), observer: RecordingObserver())
        XCTAssertTrue(try String(contentsOf: log, encoding: .utf8).hasPrefix("written by the job on the node\n"))
        // A plain rerun is another attempt: it writes a log of its own and keeps the earlier one.
        try ws.run("exp.yaml", options)
        let after = try FileManager.default.contentsOfDirectory(atPath: logs.path).filter { $0.hasPrefix("logs-only-") && $0.hasSuffix(".log") }
        XCTAssertEqual(after.count, 2, "\(after)")
        XCTAssertTrue(try String(contentsOf: log, encoding: .utf8).hasPrefix("written by the job on the node\n"))
        let fresh = logs.appendingPathComponent(try XCTUnwrap(after.first { $0 != names[0] }))
        XCTAssertFalse(try String(contentsOf: fresh, encoding: .utf8).contains("written by the job on the node"))
    }
}

/// Runs stages locally but, like a cluster backend, gives each its own memory.
private final class ClusterLikeBackend: ExecutionBackend {
    let local = LocalBackend()
    var memoryBudgetMB: Int? { nil }
    func start(_ stage: Stage, context: StageContext, events: @escaping @Sendable (BackendEvent) -> Void) {
        local.start(stage, context: context, events: events)
    }
}
