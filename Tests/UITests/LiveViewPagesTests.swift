import Foundation
import Pipeline
import UI
import XCTest

/// What each page's data says about a finished run, and about a run while it is in progress.
final class LiveViewPagesTests: XCTestCase {
    var live: LiveWorkspace!

    override func setUpWithError() throws {
        live = try LiveWorkspace()
        try live.write("live.yaml", liveSpec)
        try live.serve()
    }

    override func tearDown() { live = nil }

    func testExperimentsListTheirRunsWithCounts() throws {
        try live.run()
        try live.run()
        let experiments = try live.json([ExperimentRow].self, "/api/experiments")
        XCTAssertEqual(experiments.map(\.name), ["live"])
        let runs = experiments[0].runs
        XCTAssertEqual(runs.map(\.id), [2, 1], "newest first")
        XCTAssertEqual(runs[1].ran, 5)
        XCTAssertEqual(runs[0].ran, 0)
        XCTAssertEqual(runs[0].cached, 5)
        XCTAssertEqual(runs[0].status, "succeeded")
    }

    func testTheDAGHasEveryStageItsEdgesAndStates() throws {
        try live.run()
        let graph = try live.json(RunGraph.self, "/api/run?run=1")
        XCTAssertEqual(Set(graph.nodes.map(\.id)), ["paint", "translate@cyclegan", "translate@ours", "score@cyclegan", "score@ours"])
        XCTAssertTrue(graph.nodes.allSatisfy { $0.state == "done" })
        XCTAssertEqual(Set(graph.edges.map { "\($0.from)>\($0.to)" }),
                       ["paint>translate@cyclegan", "paint>translate@ours", "translate@cyclegan>score@cyclegan", "translate@ours>score@ours"])
        XCTAssertEqual(graph.edges.first { $0.to == "score@ours" }?.label, "out→in")
        let x = Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.id, $0.x) })
        XCTAssertLessThan(x["paint"]!, x["translate@ours"]!)
        XCTAssertLessThan(x["translate@ours"]!, x["score@ours"]!)
        try live.run()
        XCTAssertTrue(try live.json(RunGraph.self, "/api/run?run=2").nodes.allSatisfy { $0.state == "cached" })
    }

    func testAStagePageShowsParamsHashesLineageExecutionsLogAndReason() throws {
        try live.run()
        try live.write("live.yaml", liveSpec.replacingOccurrences(of: "value: 0.5", with: "value: 0.75"))
        try live.run()
        let page = try live.json(StagePage.self, "/api/stage?run=2&stage=score@ours")
        XCTAssertEqual(page.params["value"], "0.75")
        XCTAssertEqual(page.params["tag"], "ours")
        XCTAssertEqual(page.reason, "params changed: value 0.5 → 0.75")
        XCTAssertEqual(page.state, "done")
        XCTAssertEqual(page.inputs.first { $0.name == "in" }?.stage, "translate@ours")
        XCTAssertEqual(page.outputs.map(\.name), ["out"])
        XCTAssertEqual(page.outputs[0].hash.count, 64)
        XCTAssertEqual(Set(page.lineage.compactMap(\.detail)), ["consumed", "produced"])
        XCTAssertEqual(page.upstream, ["translate@ours"])
        XCTAssertEqual(page.downstream, [])
        XCTAssertEqual(page.executions.map(\.run), [2, 1])
        XCTAssertNotNil(page.executions[0].cpuSeconds)
        XCTAssertEqual(page.metrics["value"], 0.75)
        XCTAssertTrue(page.log?.contains("work ours: done") == true, page.log ?? "no log")
        let translate = try live.json(StagePage.self, "/api/stage?run=2&stage=translate@ours")
        XCTAssertEqual(translate.downstream, ["score@ours"])
        XCTAssertEqual(translate.series, ["loss"])
        XCTAssertEqual(translate.state, "cached")
        XCTAssertEqual(try live.get("/api/stage?run=2&stage=nope").status, 404)
        XCTAssertEqual(try live.get("/api/stage?run=99&stage=paint").status, 404)
    }

    func testMetricsOverlayASeriesPerStageAndListScalars() throws {
        try live.run()
        let page = try live.json(MetricsPage.self, "/api/metrics?run=1")
        XCTAssertEqual(page.charts.map(\.metric), ["loss"])
        XCTAssertEqual(page.charts[0].points, 40, "20 steps of both translations")
        XCTAssertTrue(page.charts[0].svg.hasPrefix("<svg"))
        XCTAssertTrue(page.charts[0].svg.contains("translate@cyclegan") && page.charts[0].svg.contains("translate@ours"))
        XCTAssertEqual(page.scalars.filter { $0.metric == "value" }.count, 5)
    }

    func testAnotherRunsCurvesAreDrawnBesideWhereTheyDiffer() throws {
        try live.run()
        try live.write("live.yaml", liveSpec.replacingOccurrences(of: "steps: 20", with: "steps: 10"))
        try live.run()
        let page = try live.json(MetricsPage.self, "/api/metrics?run=2&compare=1")
        XCTAssertEqual(page.charts.map(\.points), [60], "10 + 10 points now, 20 + 20 from run 1")
        XCTAssertTrue(page.charts[0].svg.contains("translate@ours · run 1"))
        XCTAssertEqual(page.scalars.filter { $0.metric == "value" }.count, 5, "scalars of run 2 only")
        XCTAssertEqual(try live.get("/api/metrics?run=2&compare=9").status, 404)
    }

    func testResultsAreTheTableOfPleinairResultsAndCompareRunsCellByCell() throws {
        try live.run()
        try live.write("live.yaml", liveSpec.replacingOccurrences(of: "value: 0.5", with: "value: 0.75"))
        try live.run()
        let page = try live.json(ResultsPage.self, "/api/results?run=2&compare=1")
        XCTAssertEqual(page.header, ["method", "translate.loss", "translate.value", "score.value"])
        XCTAssertEqual(page.rows.map { $0[0] }, ["cyclegan", "ours"])
        XCTAssertEqual(page.rows[1][3], "0.5 → 0.75")
        XCTAssertEqual(page.rows[1][2], "2")
        XCTAssertEqual(page.shared.map { $0[0] }, ["paint.value"])
        let first = try live.json(ResultsPage.self, "/api/results?run=1")
        XCTAssertEqual(first.rows[1][3], "0.5")
    }

    func testImagesLineUpTheSameFileAcrossStagesAndPage() throws {
        try live.run()
        let page = try live.json(ImagesPage.self, "/api/images?run=1&output=out&limit=2")
        XCTAssertEqual(page.columns.map(\.stage), ["paint", "translate@cyclegan", "translate@ours"])
        XCTAssertEqual(page.rows, ["img_00.png", "img_01.png"])
        XCTAssertEqual(page.total, 3)
        let next = try live.json(ImagesPage.self, "/api/images?run=1&output=out&limit=2&offset=2")
        XCTAssertEqual(next.rows, ["img_02.png"])
        let one = try live.json(ImagesPage.self, "/api/images?run=1&output=translate@ours/out")
        XCTAssertEqual(one.columns.map(\.stage), ["translate@ours"])
        let file = try live.get("/files/\(page.columns[2].fingerprint)/out/img_01.png")
        XCTAssertEqual(file.status, 200)
        XCTAssertTrue(file.head.contains("Content-Type: image/png"))
        XCTAssertEqual(file.body.prefix(4), Data([0x89, 0x50, 0x4E, 0x47]))
        let thumbnail = try live.get("/thumbs/\(page.columns[2].fingerprint)/out/img_01.png")
        XCTAssertEqual(thumbnail.text, "thumbnail 160 of img_01.png")
    }

    func testARunInProgressShowsRunningAndWaitingStagesProgressAndALiveSeries() throws {
        try live.run()
        // Run 2 retrains slowly: translate@cyclegan reports a point every 50 ms.
        try live.write("live.yaml", liveSpec.replacingOccurrences(of: "steps: 20, value: 2", with: "steps: 40, step_seconds: 0.05, value: 3"))
        let finished = expectation(description: "run 2 ends")
        let thread = Thread { [live] in
            _ = try? live!.run()
            finished.fulfill()
        }
        thread.start()
        var sawRunning = false, sawWaiting = false, sawProgress = false, sawLive = false
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && !(sawRunning && sawWaiting && sawProgress && sawLive) {
            usleep(50_000)
            guard let graph = live.poll(RunGraph.self, "/api/run?run=2") else { continue }
            if let running = graph.nodes.first(where: { $0.state == "running" }) {
                sawRunning = true
                XCTAssertNotNil(running.typicalSeconds, "the last run's duration is the basis of an ETA")
                if let fraction = running.progress, fraction > 0 {
                    sawProgress = true
                    XCTAssertTrue(running.progressMessage?.hasPrefix("step ") == true)
                }
                if let metrics = live.poll(MetricsPage.self, "/api/metrics?run=2"),
                   metrics.charts.contains(where: { $0.live && $0.points > 0 && $0.svg.contains("(running)") }) {
                    sawLive = true
                }
            }
            if graph.nodes.contains(where: { $0.state == "waiting" }) { sawWaiting = true }
        }
        wait(for: [finished], timeout: 60)
        XCTAssertTrue(sawRunning, "a stage was seen running")
        XCTAssertTrue(sawWaiting, "stages not started yet were seen waiting")
        XCTAssertTrue(sawProgress, "progress was seen")
        XCTAssertTrue(sawLive, "the loss chart grew while the stage ran")
        let done = try live.json(RunGraph.self, "/api/run?run=2")
        XCTAssertEqual(done.run.status, "succeeded")
        XCTAssertEqual(done.nodes.count, 5)
        XCTAssertTrue(done.nodes.allSatisfy { $0.state == "done" || $0.state == "cached" })
    }

    func testAFirstRunShowsEveryPlannedStageAndTheUnstartedOnesWaiting() throws {
        // The first stage reports a point every 50 ms for 2 s: the rest of the run is still planned.
        try live.write("live.yaml", liveSpec.replacingOccurrences(of: "params: {images: 3, tag: painting}",
                                                                  with: "params: {images: 3, tag: painting, steps: 40, step_seconds: 0.05}"))
        let finished = expectation(description: "run 1 ends")
        let thread = Thread { [live] in
            _ = try? live!.run()
            finished.fulfill()
        }
        thread.start()
        var seen: RunGraph?
        var waitingPage: StagePage?
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && seen == nil {
            usleep(20_000)
            // Until the run is recorded the view answers 404.
            guard let reply = try? live.get("/api/run?run=1"), reply.status == 200 else { continue }
            if let graph = try? JSONDecoder().decode(RunGraph.self, from: reply.body), graph.nodes.contains(where: { $0.state == "running" }) {
                seen = graph
                waitingPage = live.poll(StagePage.self, "/api/stage?run=1&stage=score@ours")
            }
        }
        wait(for: [finished], timeout: 60)
        let graph = try XCTUnwrap(seen, "the first stage was seen running")
        XCTAssertEqual(graph.nodes.map(\.id), ["paint", "translate@cyclegan", "translate@ours", "score@cyclegan", "score@ours"],
                       "every planned stage, in plan order")
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.id, $0.state) }),
                       ["paint": "running", "translate@cyclegan": "waiting", "translate@ours": "waiting",
                        "score@cyclegan": "waiting", "score@ours": "waiting"])
        XCTAssertEqual(Set(graph.edges.map { "\($0.from)>\($0.to)" }),
                       ["paint>translate@cyclegan", "paint>translate@ours", "translate@cyclegan>score@cyclegan", "translate@ours>score@ours"])
        let waiting = try XCTUnwrap(waitingPage)
        XCTAssertEqual(waiting.state, "waiting")
        XCTAssertEqual(waiting.params["value"], "0.5", "its planned params")
        XCTAssertEqual(waiting.upstream, ["translate@ours"])
        XCTAssertEqual(try live.json(RunGraph.self, "/api/run?run=1").nodes.count, 5)
    }

    func testALedgerWithoutPlansFallsBackToThePreviousRunsStages() throws {
        try live.run()
        // A ledger from before plans were kept (not migrated yet) with a second run just begun.
        let ledger = try Ledger(path: live.workspace.ledgerPath)
        try ledger.query("DROP TABLE run_plans")
        try ledger.query("DELETE FROM schema_migrations WHERE version >= 4")
        try ledger.query("INSERT INTO runs(experiment_id, started_at, status) SELECT id, 0, 'running' FROM experiments")
        let graph = try live.json(RunGraph.self, "/api/run?run=2")
        XCTAssertEqual(graph.nodes.count, 5)
        XCTAssertTrue(graph.nodes.allSatisfy { $0.state == "waiting" })
        XCTAssertEqual(graph.edges.count, 4)
        XCTAssertEqual(try live.json(RunGraph.self, "/api/run?run=1").nodes.map(\.state), Array(repeating: "done", count: 5))
    }
}
